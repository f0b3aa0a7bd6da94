"""What the decider needs to know from the member database, whatever holds it.

The seeded SQLite store (`gateway.members.SqliteMemberStore`) implements
`OfferFactStore`; the records here are plain data.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class Promotion:
    """An in-store promotion at one store for one week.

    `products` of `category` are placed on `kind`: "display" (an in-store display)
    or "mailer" (featured in the weekly mailer). `starts` and `ends` are days on the
    demo clock, both included.
    """

    store_id: str
    department: str
    category: str
    kind: str
    starts: date
    ends: date
    products: int

    def active_on(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class OfferTerms:
    """Catalog facts about an offer that the `Offer` record does not carry."""

    offer_id: str
    offer_type: str  # the campaign type in the data: "Type A", "Type B" or "Type C"
    valid_from: date


class OfferFactStore(Protocol):
    """Read-only facts for offer decisioning. Errors: `StoreError`."""

    async def offer_terms(self, offer_ids: Collection[str]) -> Mapping[str, OfferTerms]:
        """Terms of the known offers among `offer_ids` (unknown ids are left out)."""
        ...

    async def member_since(self, member_id: str) -> date | None:
        """The member's first purchase day, or None for an unknown member."""
        ...

    async def stock_levels(self, store_id: str, categories: Collection[str]) -> Mapping[str, int | None]:
        """Units in stock per category; None for a category the store does not carry."""
        ...

    async def active_promotions(self, store_id: str, today: date) -> tuple[Promotion, ...]:
        """The store's promotions running on `today`, one per category and kind."""
        ...

    async def offer_promotions(
        self, store_id: str, today: date, offer_ids: Collection[str]
    ) -> Mapping[str, tuple[Promotion, ...]]:
        """Per offer, the store's promotions running on `today` on the offer's own products
        (`products` counts those products only). Offers with none are left out."""
        ...
