"""What the context stage needs from a member database, whatever holds it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Protocol

from gateway.offers.facts import OfferTerms, Promotion
from gateway.turn import Member, Offer, Purchase, StoreInfo


class MemberStore(Protocol):
    """Read-only access to members, their history, their offers and the stores.

    Errors: `NotFound` for an unknown member id; `StoreError` when the database is
    missing, unreadable, of another schema version, or closed.
    """

    async def get_member(self, member_id: str) -> Member: ...

    async def recent_purchases(self, member_id: str, limit: int = 10) -> tuple[Purchase, ...]:
        """Newest first; empty for a member without purchases (or an unknown id)."""
        ...

    async def targeted_offers(self, member_id: str) -> tuple[Offer, ...]:
        """The offers the member received, best fit first, before any eligibility check."""
        ...

    async def store_info(self, store_id: str) -> StoreInfo | None: ...

    async def offer(self, offer_id: str) -> Offer | None: ...

    # -- facts for offer decisioning (`gateway.offers.OfferFactStore`) --

    async def offer_terms(self, offer_ids: Collection[str]) -> Mapping[str, OfferTerms]:
        """Offer type and first valid day of the known offers among `offer_ids`."""
        ...

    async def member_since(self, member_id: str) -> date | None:
        """The member's first purchase day on the demo clock; None for an unknown member."""
        ...

    async def stock_level(self, store_id: str, category: str) -> int | None:
        """Units of `category` in stock at the store; None when the store does not carry it."""
        ...

    async def stock_levels(self, store_id: str, categories: Collection[str]) -> Mapping[str, int | None]:
        """`stock_level` for several categories in one query, keyed by the names asked for."""
        ...

    async def active_promotions(self, store_id: str, today: date) -> tuple[Promotion, ...]:
        """The store's in-store promotions running on `today`, one per category and kind,
        ordered by category; empty for a store without promotions or a day not seeded."""
        ...

    async def offer_promotions(
        self, store_id: str, today: date, offer_ids: Collection[str]
    ) -> Mapping[str, tuple[Promotion, ...]]:
        """Per offer, the promotions running on `today` at the store on the offer's own
        products; offers without any are left out."""
        ...

    # -- facts for context stitching (`gateway.context.ContextStitcher`) --

    async def recent_product_ids(self, member_id: str, limit: int = 10) -> tuple[int, ...]:
        """Product ids of the member's latest purchase lines, newest first (repeats kept)."""
        ...

    async def general_offers(self, limit: int = 20) -> tuple[Offer, ...]:
        """Offers that are not chosen for anyone in particular: those covering the most
        products first (then by id), before any eligibility check."""
        ...

    async def close(self) -> None: ...
