"""A hand-made member database for the decider's tests.

A few offers, their products, promotions and stock at one store, written with the real
schema (`gateway.members.schema`) and read back by the real `SqliteMemberStore`, so
every case states its own facts instead of hunting for them in the demo data.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import redis.asyncio as redis

from gateway.members import SqliteMemberStore
from gateway.members.schema import DDL, SCHEMA_VERSION
from gateway.offers import FrequencyCaps, OfferDecision, PolicyOfferDecider
from gateway.policy.offers import OfferPolicy
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.turn import Member, Offer

TODAY = date(2026, 11, 23)
STORE = "10"
IN_STOCK = 50

PROGRAM = ProgramPolicy.model_validate(
    {
        "program_name": "Test Rewards",
        "tiers": [
            {"name": "Bronze", "min_annual_spend": 0, "max_discount_pct": 10},
            {"name": "Silver", "min_annual_spend": 1000, "max_discount_pct": 15},
            {"name": "Gold", "min_annual_spend": 2500, "max_discount_pct": 20},
        ],
        "points": {
            "points_per_dollar": 1,
            "earning_window_weeks": 26,
            "expiring_window_weeks": 4,
            "expiry_days_ahead": 30,
        },
    }
)
# GROCERY may be discounted up to 18%, unlisted departments up to 14%.
MARGINS = MarginPolicy(
    assumption="test margins", min_margin_after_discount_pct=8, default_gross_margin_pct=22,
    departments={"GROCERY": 26},
)
# Everything allowed: each test tightens the one rule it is about.
OPEN_POLICY: dict[str, dict[str, Any]] = {
    "eligibility": {"min_days_active": 0, "excluded_departments": [], "excluded_categories": []},
    "inventory": {"min_units": 1, "not_carried": "ineligible"},
    "promotions": {"match": "product", "stacks_with": []},
    "stacking": {"max_offers_per_answer": 10, "never_combined": []},
    "frequency": {"window_days": 7, "max_impressions_per_offer": 100, "max_offers_per_day": 100},
}


def offer_policy(**sections: dict[str, Any]) -> OfferPolicy:
    """The open policy with some keys of some sections changed."""
    data = {name: {**rules, **sections.get(name, {})} for name, rules in OPEN_POLICY.items()}
    return OfferPolicy.model_validate(data)


class Shop:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._products: dict[tuple[str, str], list[int]] = {}
        self._tables: dict[str, list[tuple[Any, ...]]] = {
            "members": [], "offers": [], "offer_products": [], "promotions": [],
        }
        self._stock: dict[tuple[str, str], int] = {}

    def member(self, *, tier: str = "Gold", days_active: int = 365) -> Member:
        """A new member (a fresh id, so Redis counts never leak between tests)."""
        member = Member(f"m-{uuid.uuid4().hex[:12]}", tier, 900, 0, TODAY + timedelta(days=30),
                        3000.0, None, 0.0, STORE)
        since = (TODAY - timedelta(days=days_active)).isoformat()
        self._tables["members"].append(
            (member.member_id, tier, 900, 0, member.points_expire_on.isoformat(), 3000.0, None, 0.0,
             STORE, None, None, since)
        )
        return member

    def offer(
        self, category: str, *, department: str = "GROCERY", discount: int = 10, offer_type: str = "Type B",
        valid_from: date = TODAY, valid_until: date = TODAY + timedelta(days=14), min_tier: str = "Bronze",
    ) -> Offer:
        """An offer on one product of `category`, with the category in stock at the store."""
        offer = Offer(f"OFR-{len(self._tables['offers']) + 1}", f"{category.title()} savings", department,
                      category, discount, min_tier, valid_until)
        self._tables["offers"].append(
            (offer.offer_id, "0", 1, offer_type, offer.title, department, category, discount, min_tier,
             valid_from.isoformat(), valid_until.isoformat(), 1)
        )
        self._tables["offer_products"].append((offer.offer_id, self.product(department, category)))
        self._stock.setdefault((STORE, category), IN_STOCK)
        return offer

    def product(self, department: str, category: str, *, new: bool = False) -> int:
        """The category's first product, or a further one with `new`."""
        ids = self._products.setdefault((department, category), [])
        if new or not ids:
            ids.append(1 + sum(len(p) for p in self._products.values()))
        return ids[-1]

    def promote(self, offer: Offer, kind: str, *, week: int = 0, store: str = STORE,
                same_product: bool = True) -> None:
        """Put the offer's product (or another product of its category) on `kind`, in the
        week starting today + 7 × `week`, at `store`."""
        product = self.product(offer.department, offer.category, new=not same_product)
        starts = TODAY + timedelta(weeks=week)
        self._tables["promotions"].append(
            (store, product, starts.isoformat(), (starts + timedelta(days=6)).isoformat(), kind)
        )

    def stock(self, category: str, units: int | None) -> None:
        """Units at the store; None: the store does not carry the category."""
        if units is None:
            self._stock.pop((STORE, category), None)
        else:
            self._stock[(STORE, category)] = units

    def write(self) -> Path:
        self.path.unlink(missing_ok=True)
        with closing(sqlite3.connect(self.path)) as conn, conn:
            conn.executescript(DDL)
            conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            for table, rows in self._tables.items():
                for row in rows:
                    conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in row)})", row)
            for (department, category), ids in self._products.items():
                conn.executemany(
                    "INSERT INTO products VALUES (?, ?, ?, NULL, 'National', NULL, ?)",
                    [(pid, department, category, category.title()) for pid in ids],
                )
            conn.executemany("INSERT INTO stock VALUES (?, ?, ?)",
                             [(s, c, units) for (s, c), units in self._stock.items()])
        return self.path

    @asynccontextmanager
    async def decider(
        self, client: redis.Redis, policy: OfferPolicy | None = None
    ) -> AsyncIterator[PolicyOfferDecider]:
        self.write()
        async with SqliteMemberStore(self.path) as store:
            yield PolicyOfferDecider(PROGRAM, MARGINS, policy or offer_policy(), store=store,
                                     caps=FrequencyCaps(client))

    async def decide(
        self, client: redis.Redis, member: Member, offers: Sequence[Offer], policy: OfferPolicy | None = None,
        *, store_id: str | None = STORE, today: date = TODAY,
    ) -> OfferDecision:
        async with self.decider(client, policy) as decider:
            return await decider.candidates(member, tuple(offers), store_id=store_id, today=today)


def ids(offers: Sequence[Offer]) -> list[str]:
    return [o.offer_id for o in offers]
