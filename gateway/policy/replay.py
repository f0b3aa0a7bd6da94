"""Dry run: re-run a candidate policy's gate over recorded turns before it goes live.

Each audit record keeps the original draft and the facts the gate judged it
against (`extra.context`, see `gateway/context/snapshot.py`). Replaying gives,
for every recorded turn, what the candidate policy would have done differently:
answers it would now block or alter, and answers it would now let through.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from gateway.audit import AuditLog, AuditRecord, StoredRecord
from gateway.context.snapshot import context_from_snapshot
from gateway.turn import Channel, MemberContext, Verdict

PAGE = 500


class Checker(Protocol):
    async def check(
        self, text: str, context: MemberContext, channel: Channel, *, user_text: str
    ) -> Verdict: ...


@dataclass(frozen=True)
class ReplayedTurn:
    decision_id: str
    channel: str
    old_action: str | None
    new_action: str
    old_codes: tuple[str, ...]
    new_codes: tuple[str, ...]
    old_final: str | None
    new_final: str

    @property
    def change(self) -> str:
        if self.old_action == "pass" and self.new_action != "pass":
            return "newly_blocked"
        if self.old_action not in (None, "pass") and self.new_action == "pass":
            return "newly_allowed"
        if self.old_codes != self.new_codes or self.old_final != self.new_final:
            return "changed"
        return "same"


@dataclass
class ReplayReport:
    candidate_version: str
    since: str
    replayed: int = 0
    skipped: int = 0  # records without a draft or a context snapshot (e.g. older schema)
    turns: list[ReplayedTurn] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"newly_blocked": 0, "newly_allowed": 0, "changed": 0, "same": 0}
        for turn in self.turns:
            counts[turn.change] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate_version": self.candidate_version, "since": self.since,
            "replayed": self.replayed, "skipped": self.skipped, "counts": self.counts(),
            "turns": [asdict(t) | {"change": t.change} for t in self.turns if t.change != "same"],
        }


async def replay(
    audit: AuditLog, gate: Checker, *, candidate_version: str, since: datetime, limit: int = 10_000
) -> ReplayReport:
    report = ReplayReport(candidate_version, since.isoformat())
    for stored in await audit.recent(limit, since=since):
        turn = await _replay_one(stored, gate)
        if turn is None:
            report.skipped += 1
        else:
            report.replayed += 1
            report.turns.append(turn)
    return report


async def _replay_one(stored: StoredRecord, gate: Checker) -> ReplayedTurn | None:
    record: AuditRecord = stored.record()
    snapshot = record.extra.get("context")
    if record.draft_text is None or not isinstance(snapshot, dict):
        return None
    verdict = await gate.check(
        record.draft_text, context_from_snapshot(snapshot), Channel(record.channel),
        user_text=record.query,
    )
    return ReplayedTurn(
        decision_id=record.decision_id,
        channel=record.channel,
        old_action=record.gate_action,
        new_action=verdict.action,
        old_codes=tuple(sorted(v.code for v in record.violations)),
        new_codes=tuple(sorted(v.code for v in verdict.violations)),
        old_final=record.final_text,
        new_final=verdict.final_text,
    )
