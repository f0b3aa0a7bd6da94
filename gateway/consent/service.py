"""`ConsentPreferences`: reading and changing a member's consent (the API's one call per route).

A member's view lists every purpose: the stored choice with when and by which
channel it was made, or the default (`"source": "default"`) for a purpose never
decided. An unknown member is `NotFound`, so a typo in an id never creates rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from gateway.consent._types import Purpose
from gateway.consent.resolver import GPC_SOURCE, StoredConsent
from gateway.consent.store import ConsentEntry
from gateway.exceptions import NotFound


class ConsentWriter(StoredConsent, Protocol):
    async def set(self, member_id: str, changes: Mapping[Purpose, bool], *, source: str) -> None: ...


class KnownMembers(Protocol):
    async def get_member(self, member_id: str) -> Any:
        """Raises `NotFound` for an unknown member."""
        ...


class ConsentPreferences:
    def __init__(self, store: ConsentWriter, members: KnownMembers, *, default_allowed: bool = True) -> None:
        self._store = store
        self._members = members
        self._default_allowed = default_allowed

    async def view(self, member_id: str) -> dict[str, Any]:
        await self._members.get_member(member_id)
        return self._shape(member_id, await self._store.get(member_id))

    async def update(self, member_id: str, changes: Mapping[Purpose, bool], *, source: str) -> dict[str, Any]:
        await self._members.get_member(member_id)
        if changes:
            await self._store.set(member_id, changes, source=source)
        return self._shape(member_id, await self._store.get(member_id))

    async def record_gpc(self, member_ids: Iterable[str]) -> None:
        """A GPC signal relayed with events: the members' opt-out of profiling, kept.

        The CCPA regulations ask a business to apply an opt-out preference signal to the
        consumer profile it knows the signal comes from; the events name that member.
        An id that names no member is skipped: no consent row is kept for nobody (it could
        never be erased, as erasure starts from the member).
        """
        for member_id in dict.fromkeys(member_ids):
            try:
                await self._members.get_member(member_id)
            except NotFound:
                continue
            await self._store.set(member_id, {Purpose.PROFILING: False}, source=GPC_SOURCE)

    def _shape(self, member_id: str, stored: dict[Purpose, ConsentEntry]) -> dict[str, Any]:
        purposes: dict[str, Any] = {}
        for purpose in Purpose:
            entry = stored.get(purpose)
            purposes[purpose.value] = (
                {"allowed": self._default_allowed, "updated_at": None, "source": "default"}
                if entry is None
                else {"allowed": entry.allowed, "updated_at": entry.updated_at.isoformat(),
                      "source": entry.source}
            )
        return {"member_id": member_id, "purposes": purposes}
