"""Promotions, stock, offer products, member since and offer validity: the facts the
offer decisioning reads, derived by the rules in gateway/seed/README.md."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.seed import SourceTables
from gateway.seed._rules import COVER_WEEKS, promotion_weeks, stock_units

from .conftest import TODAY, Seeded, query, seed_tiny, tiny_source


def days(*offsets: int) -> tuple[str, ...]:
    return tuple((TODAY + timedelta(days=n)).isoformat() for n in offsets)


def test_this_weeks_promotions_are_the_same_week_one_year_earlier(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    # The data ends in week 53; the week after it, a year (52 weeks) back, is week 2.
    source = tiny_source(
        {1: [(53, 10.0)]}, promotions=[(1, 11, week, True, False) for week in (1, 2, 3, 4, 53)]
    )
    db = seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins)
    assert promotion_weeks(53) == (2, 3)
    rows = query(db, "SELECT starts, ends FROM promotions ORDER BY starts")
    assert [tuple(r) for r in rows] == [days(0, 6), days(7, 13)]
    meta = dict(query(db, "SELECT key, value FROM meta WHERE key = 'promotion_data_weeks'"))
    assert meta == {"promotion_data_weeks": "2,3"}


def test_display_and_mailer_placements_are_separate_promotions_and_duplicates_one(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    source = tiny_source(
        {1: [(53, 10.0)]},
        promotions=[(1, 11, 2, True, True), (3, 11, 2, False, True), (3, 11, 2, False, True)],
    )
    db = seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins)
    rows = query(db, "SELECT store_id, product_id, kind FROM promotions")
    assert [tuple(r) for r in rows] == [("11", 1, "display"), ("11", 1, "mailer"), ("11", 3, "mailer")]


def test_a_subset_keeps_every_current_promotion_of_its_members_home_stores(
    seeded: Seeded, source: SourceTables
) -> None:
    homes = {r[0] for r in query(seeded.path, "SELECT DISTINCT home_store_id FROM members")}
    stored = query(
        seeded.path,
        "SELECT store_id, kind, count(*) FROM promotions WHERE starts = ? GROUP BY store_id, kind",
        TODAY.isoformat(),
    )
    data = source.promotions
    this_week = data[(data["week"] == 2) & data["store_id"].astype(str).isin(homes)]
    expected = {
        (str(store), kind): count
        for kind in ("display", "mailer")
        for store, count in this_week[this_week[kind]]
        .drop_duplicates(["store_id", "product_id"])
        .groupby("store_id")
        .size()
        .items()
    }
    assert {(r[0], r[1]): r[2] for r in stored} == expected
    assert len(expected) > 10


def test_promotions_of_a_store_are_read_through_the_primary_key(seeded: Seeded) -> None:
    plan = query(
        seeded.path,
        "EXPLAIN QUERY PLAN SELECT * FROM promotions WHERE store_id = ? AND starts <= ? AND ends >= ?",
        "367",
        TODAY.isoformat(),
        TODAY.isoformat(),
    )
    assert "USING PRIMARY KEY (store_id=?" in " ".join(row["detail"] for row in plan)


def test_stock_follows_a_years_weekly_sales_at_the_store(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    # Household 1 shops at store 11: cheese ten times a week all year; tomatoes only in
    # week 1, outside the last 52 weeks, so the store does not carry them.
    lines = [(week, 1.0, 1) for week in range(2, 54) for _ in range(10)] + [(1, 1.0, 3)]
    db = seed_tiny(tmp_path / "db", tiny_source({1: lines}), tiny_program, tiny_margins)
    stock = {(r[0], r[1]): r[2] for r in query(db, "SELECT store_id, category, units FROM stock")}
    assert stock == {("11", "CHEESE"): stock_units("11", "CHEESE", 10.0)}
    assert stock_units("11", "CHEESE", 10.0) in {0, *(10 * w for w in COVER_WEEKS)}


def test_a_category_in_stock_holds_at_least_one_unit_however_rarely_it_sells() -> None:
    units = [stock_units(str(store), "SPICES & EXTRACTS", 1 / 52) for store in range(500)]
    assert set(units) == {0, 1}


def test_about_one_in_twelve_store_categories_is_out_of_stock() -> None:
    units = [stock_units(str(store), f"CATEGORY {c}", 5.0) for store in range(100) for c in range(100)]
    assert 0.07 < units.count(0) / len(units) < 0.09
    assert stock_units("367", "CHEESE", 5.0) == stock_units("367", "CHEESE", 5.0)


def test_stock_covers_every_store_whichever_households_are_seeded(
    seeded: Seeded, source: SourceTables
) -> None:
    tx = source.transactions
    year = tx[tx["week"] > 1]
    stocked = {r[0] for r in query(seeded.path, "SELECT DISTINCT store_id FROM stock")}
    assert stocked == {str(s) for s in year["store_id"].unique()}
    assert seeded.report.stock_levels == query(seeded.path, "SELECT count(*) FROM stock")[0][0]


def test_member_since_is_the_first_purchase_on_the_demo_clock(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    source = tiny_source({1: [(53, 5.0), (10, 5.0)], 2: [(53, 1.0)]})
    db = seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins)
    since = {r[0]: date.fromisoformat(r[1]) for r in query(db, "SELECT member_id, member_since FROM members")}
    # Week 53's line is on the data's last day (yesterday); week 10's is 43 weeks earlier.
    assert since == {"1": TODAY - timedelta(days=1 + 43 * 7), "2": TODAY - timedelta(days=1)}


def test_offers_are_valid_from_the_seed_day_and_cover_their_coupons_products(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    source = tiny_source(
        {1: [(53, 1.0)]},
        coupons=[(222, 1, 7), (222, 2, 7), (111, 3, 7), (111, 3, 7)],
        campaigns=[(7, "Type C", 30)],
    )
    db = seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins)
    valid_from = {r[0] for r in query(db, "SELECT valid_from FROM offers")}
    assert valid_from == {TODAY.isoformat()}
    rows = query(db, "SELECT offer_id, product_id FROM offer_products")
    assert [tuple(r) for r in rows] == [("OFR-111-7", 3), ("OFR-222-7", 1), ("OFR-222-7", 2)]
