"""The member store answers the offer decisioning's questions from the seeded file:
promotions, stock, offer terms and how long a member has been shopping."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from gateway.exceptions import StoreError
from gateway.members import SqliteMemberStore
from gateway.offers import OfferFactStore, OfferTerms, Promotion

from .conftest import TODAY

pytestmark = pytest.mark.anyio


def rows(path: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def busiest_promotion_store(path: Path) -> str:
    store: str = rows(path, "SELECT store_id FROM promotions GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0][0]
    return store


async def test_this_weeks_promotions_of_a_store_come_one_per_category_and_kind(
    store: SqliteMemberStore, demo_db: Path
) -> None:
    store_id = busiest_promotion_store(demo_db)
    promotions = await store.active_promotions(store_id, TODAY)
    assert promotions
    assert all(p.store_id == store_id and p.active_on(TODAY) for p in promotions)
    assert {(p.starts, p.ends) for p in promotions} == {(TODAY, TODAY + timedelta(days=6))}
    assert {p.kind for p in promotions} == {"display", "mailer"}
    assert [p.category for p in promotions] == sorted(p.category for p in promotions)
    expected = rows(
        demo_db,
        "SELECT kind, count(*) FROM promotions WHERE store_id = ? AND starts = ? GROUP BY kind",
        store_id,
        TODAY.isoformat(),
    )
    counted = {kind: sum(p.products for p in promotions if p.kind == kind) for kind in ("display", "mailer")}
    assert counted == {r[0]: r[1] for r in expected}


async def test_next_weeks_promotions_start_in_seven_days_and_none_are_known_after(
    store: SqliteMemberStore, demo_db: Path
) -> None:
    store_id = busiest_promotion_store(demo_db)
    next_week = await store.active_promotions(store_id, TODAY + timedelta(days=9))
    assert next_week
    assert {p.starts for p in next_week} == {TODAY + timedelta(days=7)}
    assert await store.active_promotions(store_id, TODAY + timedelta(days=14)) == ()
    assert await store.active_promotions(store_id, TODAY - timedelta(days=1)) == ()


async def test_a_store_without_promotions_has_none(store: SqliteMemberStore) -> None:
    assert await store.active_promotions("no-such-store", TODAY) == ()


async def test_an_offers_promotions_count_only_its_own_products(
    store: SqliteMemberStore, demo_db: Path
) -> None:
    hit = rows(
        demo_db,
        "SELECT p.store_id, op.offer_id, count(*) AS n FROM promotions p"
        " JOIN offer_products op ON op.product_id = p.product_id"
        " WHERE p.store_id = ? AND p.starts = ? AND p.kind = 'mailer'"
        " GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 1",
        busiest_promotion_store(demo_db),
        TODAY.isoformat(),
    )[0]
    found = await store.offer_promotions(hit["store_id"], TODAY, [hit["offer_id"], "OFR-0-0"])
    assert list(found) == [hit["offer_id"]]
    mailers = [p for p in found[hit["offer_id"]] if p.kind == "mailer"]
    assert sum(p.products for p in mailers) == hit["n"]
    assert await store.offer_promotions(hit["store_id"], TODAY + timedelta(days=14), [hit["offer_id"]]) == {}
    assert await store.offer_promotions(hit["store_id"], TODAY, []) == {}


async def test_stock_is_read_per_category_and_none_where_the_store_does_not_carry_it(
    store: SqliteMemberStore, demo_db: Path
) -> None:
    row = rows(demo_db, "SELECT * FROM stock WHERE units > 0 ORDER BY store_id, category LIMIT 1")[0]
    assert await store.stock_level(row["store_id"], row["category"]) == row["units"]
    assert await store.stock_level(row["store_id"], "NO SUCH CATEGORY") is None
    levels = await store.stock_levels(row["store_id"], [row["category"], "NO SUCH CATEGORY"])
    assert levels == {row["category"]: row["units"], "NO SUCH CATEGORY": None}
    assert await store.stock_levels(row["store_id"], []) == {}


async def test_an_out_of_stock_category_reads_as_zero(store: SqliteMemberStore, demo_db: Path) -> None:
    row = rows(demo_db, "SELECT store_id, category FROM stock WHERE units = 0 ORDER BY 1, 2 LIMIT 1")[0]
    assert await store.stock_level(row["store_id"], row["category"]) == 0


async def test_offer_terms_name_the_type_and_first_day_of_known_offers(
    store: SqliteMemberStore, demo_db: Path
) -> None:
    row = rows(demo_db, "SELECT offer_id, campaign_type FROM offers ORDER BY offer_id LIMIT 1")[0]
    terms = await store.offer_terms([row["offer_id"], "OFR-0-0", row["offer_id"]])
    assert terms == {row["offer_id"]: OfferTerms(row["offer_id"], row["campaign_type"], TODAY)}
    assert await store.offer_terms([]) == {}


async def test_member_since_is_the_first_purchase_day(store: SqliteMemberStore, demo_db: Path) -> None:
    row = rows(demo_db, "SELECT member_id, min(day) FROM purchases GROUP BY 1 ORDER BY 1 LIMIT 1")[0]
    assert await store.member_since(row[0]) == date.fromisoformat(row[1])
    assert await store.member_since("nobody") is None


def test_the_sqlite_store_serves_offer_facts(demo_db: Path) -> None:
    facts: OfferFactStore = SqliteMemberStore(demo_db)
    assert isinstance(facts, SqliteMemberStore)


def test_a_promotion_is_active_on_its_first_and_last_day_only() -> None:
    promotion = Promotion("1", "GROCERY", "CHEESE", "mailer", TODAY, TODAY + timedelta(days=6), 3)
    assert promotion.active_on(TODAY) and promotion.active_on(TODAY + timedelta(days=6))
    assert not promotion.active_on(TODAY - timedelta(days=1))
    assert not promotion.active_on(TODAY + timedelta(days=7))


async def test_closing_while_queries_run_waits_for_them(demo_db: Path) -> None:
    store = SqliteMemberStore(demo_db)
    store_id = busiest_promotion_store(demo_db)
    queries = [asyncio.ensure_future(store.active_promotions(store_id, TODAY)) for _ in range(16)]
    await asyncio.sleep(0)
    await store.close()
    outcomes = await asyncio.gather(*queries, return_exceptions=True)
    assert all(isinstance(o, tuple | StoreError) for o in outcomes)
    with pytest.raises(StoreError, match="closed"):
        await store.active_promotions(store_id, TODAY)
