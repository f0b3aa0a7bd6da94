"""Erasure (`DELETE /v1/members/{id}`): forget a member everywhere their data was kept or derived.

    Erasable.forget_member(member_id) -> int     each store's own deletion; how many items went
    Erasure(parts, members=..., write_audit=...).erase(member_id, requested_by=...)
                                                 -> {part name: count}

The parts run in the order given; the member database goes last, so that a failure
half-way leaves the member known and the same request can be sent again (every part
is idempotent: a second run finds nothing and counts 0).

The audit log is append-only and hash-chained: deleting from it would break the chain
that proves nothing was altered, so it is not a part. The erasure itself is recorded
in it, twice: "requested" before anything is deleted (durable first, like every
decision) and "completed" with the counts. What stays in the audit log about the
member is listed in the module's tests and in the README: the records of past
decisions (member id, the question, the draft and the final answer, the facts used),
kept as the record of what the gateway did, under the audit retention policy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from gateway.consent._erasers import (
    DecisionLogEraser,
    EventStreamEraser,
    FrequencyCapEraser,
    HotProfileEraser,
    MemberRows,
)
from gateway.turn import Channel, RequestMetadata, Turn

__all__ = [
    "DecisionLogEraser",
    "Erasable",
    "Erasure",
    "EventStreamEraser",
    "FrequencyCapEraser",
    "HotProfileEraser",
    "MemberRows",
]

AuditWriter = Callable[[Turn], Awaitable[None]]


class Erasable(Protocol):
    async def forget_member(self, member_id: str) -> int:
        """Delete what this store keeps about the member; returns how many items were deleted."""
        ...


class KnownMembers(Protocol):
    async def get_member(self, member_id: str) -> Any:
        """Raises `NotFound` for an unknown member."""
        ...


class Erasure:
    def __init__(
        self, parts: Mapping[str, Erasable], *, members: KnownMembers, write_audit: AuditWriter
    ) -> None:
        self._parts = dict(parts)
        self._members = members
        self._write_audit = write_audit

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self._parts)

    def with_part(self, name: str, part: Erasable, *, before: str | None = None) -> Erasure:
        """Another store to erase from (the semantic cache, ...), before `before` or at the end."""
        items = [(n, p) for n, p in self._parts.items() if n != name]
        at = next((i for i, (n, _) in enumerate(items) if n == before), len(items))
        items.insert(at, (name, part))
        return Erasure(dict(items), members=self._members, write_audit=self._write_audit)

    async def erase(self, member_id: str, *, requested_by: Channel) -> dict[str, int]:
        await self._members.get_member(member_id)  # NotFound: 404, nothing recorded
        await self._write_audit(_record(member_id, requested_by, {"status": "requested",
                                                                  "parts": list(self._parts)}))
        counts = {name: await part.forget_member(member_id) for name, part in self._parts.items()}
        await self._write_audit(_record(member_id, requested_by, {"status": "completed", "counts": counts}))
        return counts


def _record(member_id: str, channel: Channel, erasure: dict[str, Any]) -> Turn:
    turn = Turn(channel, member_id, (), RequestMetadata(), requested_model="erasure")
    turn.flags.append(f"erasure:{erasure['status']}")
    turn.extra["erasure"] = erasure
    return turn
