"""SqliteMemberStore reads what the seed wrote, and fails with our errors, not sqlite3's."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import anyio
import pytest

import gateway.members
from gateway.exceptions import NotFound, StoreError
from gateway.members import MemberStore, SqliteMemberStore
from gateway.turn import Member

pytestmark = pytest.mark.anyio


def rows(path: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def a_member_with_offers(path: Path) -> str:
    member_id: str = rows(path, "SELECT member_id FROM offer_targets ORDER BY member_id LIMIT 1")[0][0]
    return member_id


async def test_member_is_read_with_every_field(store: SqliteMemberStore, demo_db: Path) -> None:
    row = rows(demo_db, "SELECT * FROM members WHERE age_band IS NOT NULL ORDER BY member_id LIMIT 1")[0]
    member = await store.get_member(row["member_id"])
    assert member == Member(
        member_id=row["member_id"],
        tier=row["tier"],
        points=row["points"],
        points_expiring=row["points_expiring"],
        points_expire_on=date.fromisoformat(row["points_expire_on"]),
        annual_spend=row["annual_spend"],
        next_tier=row["next_tier"],
        spend_to_next_tier=row["spend_to_next_tier"],
        home_store_id=row["home_store_id"],
        age_band=row["age_band"],
        income_band=row["income_band"],
    )


async def test_unknown_member_is_not_found(store: SqliteMemberStore) -> None:
    with pytest.raises(NotFound, match="unknown member 'nobody'"):
        await store.get_member("nobody")


async def test_recent_purchases_are_newest_first_and_limited(store: SqliteMemberStore, demo_db: Path) -> None:
    member_id = a_member_with_offers(demo_db)
    purchases = await store.recent_purchases(member_id, limit=25)
    assert len(purchases) == 25
    days = [p.day for p in purchases]
    assert days == sorted(days, reverse=True)
    newest = rows(demo_db, "SELECT max(day) FROM purchases WHERE member_id = ?", member_id)[0][0]
    assert days[0] == date.fromisoformat(newest)
    assert all(p.product and p.department and p.category for p in purchases)


async def test_recent_purchases_default_to_ten(store: SqliteMemberStore, demo_db: Path) -> None:
    assert len(await store.recent_purchases(a_member_with_offers(demo_db))) == 10


async def test_an_unknown_member_has_no_purchases(store: SqliteMemberStore) -> None:
    assert await store.recent_purchases("nobody") == ()


async def test_targeted_offers_come_best_fit_first(store: SqliteMemberStore, demo_db: Path) -> None:
    member_id = a_member_with_offers(demo_db)
    expected = rows(
        demo_db, "SELECT offer_id FROM offer_targets WHERE member_id = ? ORDER BY rank", member_id
    )
    offers = await store.targeted_offers(member_id)
    assert [o.offer_id for o in offers] == [r[0] for r in expected]
    assert 0 < len(offers) <= 20


async def test_an_offer_is_found_by_its_id(store: SqliteMemberStore, demo_db: Path) -> None:
    row = rows(demo_db, "SELECT * FROM offers ORDER BY offer_id LIMIT 1")[0]
    offer = await store.offer(row["offer_id"])
    assert offer is not None
    assert (offer.title, offer.discount_pct, offer.min_tier, offer.valid_until.isoformat()) == (
        row["title"],
        row["discount_pct"],
        row["min_tier"],
        row["valid_until"],
    )
    assert await store.offer("OFR-0-0") is None


async def test_a_members_home_store_has_a_name_and_hours(store: SqliteMemberStore, demo_db: Path) -> None:
    member = await store.get_member(a_member_with_offers(demo_db))
    assert member.home_store_id is not None
    info = await store.store_info(member.home_store_id)
    assert info is not None
    assert info.name == f"Store {member.home_store_id}"
    assert info.hours.startswith("daily ")
    assert await store.store_info("no-such-store") is None


async def test_many_concurrent_reads_all_succeed(store: SqliteMemberStore, demo_db: Path) -> None:
    ids = [r[0] for r in rows(demo_db, "SELECT member_id FROM members")]
    found: list[Member] = []

    async def read(member_id: str) -> None:
        found.append(await store.get_member(member_id))
        await store.recent_purchases(member_id)

    async with anyio.create_task_group() as tg:
        for member_id in ids * 3:
            tg.start_soon(read, member_id)
    assert sorted(m.member_id for m in found) == sorted(ids * 3)


async def test_a_missing_database_says_to_run_the_seed_first(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `loyalty-gateway seed` first"):
        SqliteMemberStore(tmp_path / "absent.db")


async def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    async with SqliteMemberStore(junk) as store:
        with pytest.raises(StoreError, match="not a seeded member database") as caught:
            await store.get_member("1")
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


async def test_an_empty_database_says_to_run_the_seed_first(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    async with SqliteMemberStore(empty) as store:
        with pytest.raises(StoreError, match="run `loyalty-gateway seed` first"):
            await store.offer("OFR-1-1")


async def test_a_database_of_another_schema_version_is_refused(tmp_path: Path, demo_db: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(demo_db, old)
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    async with SqliteMemberStore(old) as store:
        with pytest.raises(StoreError, match="schema version '0'"):
            await store.get_member("1")


async def test_the_store_never_writes(store: SqliteMemberStore, demo_db: Path) -> None:
    before = demo_db.stat().st_mtime_ns
    await store.get_member(a_member_with_offers(demo_db))
    with pytest.raises(StoreError, match="readonly"):
        await store._query("DELETE FROM members", ())  # the connection itself refuses
    assert demo_db.stat().st_mtime_ns == before


async def test_a_closed_store_refuses_queries(demo_db: Path) -> None:
    store = SqliteMemberStore(demo_db)
    await store.get_member(a_member_with_offers(demo_db))
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.get_member("1")


def test_the_sqlite_store_is_a_member_store(demo_db: Path) -> None:
    store: MemberStore = SqliteMemberStore(demo_db)
    assert isinstance(store, SqliteMemberStore)


def test_exported_names_are_accurate() -> None:
    assert sorted(gateway.members.__all__) == ["MemberStore", "SqliteMemberStore"]
    assert all(hasattr(gateway.members, name) for name in gateway.members.__all__)
