"""What the context stage needs from a member database, whatever holds it."""

from __future__ import annotations

from typing import Protocol

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

    async def close(self) -> None: ...
