"""The hash chain: one pure module, so that writing and verifying cannot disagree.

Row n stores `hash = sha256(prev_hash + "\\n" + payload)` (hex), where `payload`
is the record's canonical JSON and `prev_hash` is row n-1's hash; row 1 links
to 64 zeros. Editing a payload changes its hash; re-computing that hash breaks
row n+1's link; deleting a row leaves a seq gap. What the chain alone cannot
show is a rewrite of the whole tail or a truncated tail, which is why
`VerifyReport.head_hash` is there to be anchored somewhere else.

The `decision_id` and `created_at` columns are indexes for look-ups, outside
the hash; `verify` checks that they still agree with the hashed payload.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from gateway.audit._record import AuditRecord

GENESIS_HASH = "0" * 64


def chain_hash(prev_hash: str, payload: str) -> str:
    """The hash of one row, given the hash of the row before it."""
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True)
class StoredRecord:
    """One row of the audit log, exactly as stored."""

    seq: int
    decision_id: str
    created_at: datetime
    payload: str
    prev_hash: str
    hash: str

    def record(self) -> AuditRecord:
        return AuditRecord.from_payload(self.payload)


@dataclass(frozen=True)
class VerifyReport:
    """`checked` counts the intact rows before the first broken one (all rows if ok)."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None  # hash of the last intact row; worth anchoring elsewhere


class ChainVerifier:
    """Checks rows one at a time in seq order, so a store can stream them in pages."""

    def __init__(self) -> None:
        self._expected_seq = 1
        self._prev_hash = GENESIS_HASH
        self._checked = 0

    def check(self, row: StoredRecord) -> VerifyReport | None:
        """None while the chain holds; the failure report at the first broken row."""
        problem = self._problem(row)
        if problem is not None:
            return VerifyReport(
                ok=False,
                checked=self._checked,
                first_broken_seq=min(row.seq, self._expected_seq),
                reason=problem,
                head_hash=self._head(),
            )
        self._expected_seq = row.seq + 1
        self._prev_hash = row.hash
        self._checked += 1
        return None

    def report(self) -> VerifyReport:
        return VerifyReport(ok=True, checked=self._checked, head_hash=self._head())

    def _head(self) -> str | None:
        return self._prev_hash if self._checked else None

    def _problem(self, row: StoredRecord) -> str | None:
        if row.seq != self._expected_seq:
            return f"seq gap: expected seq {self._expected_seq}, found {row.seq}"
        if row.prev_hash != self._prev_hash:
            return "prev_hash link broken: prev_hash differs from the previous row's hash"
        if chain_hash(row.prev_hash, row.payload) != row.hash:
            return "payload hash mismatch: stored hash is not sha256(prev_hash, payload)"
        return _columns_problem(row)


def _columns_problem(row: StoredRecord) -> str | None:
    """The unhashed look-up columns must say what the hashed payload says."""
    try:
        data = json.loads(row.payload)
        stored_at = datetime.fromisoformat(data["created_at"])
        decision_id = data["decision_id"]
    except (ValueError, TypeError, KeyError):
        return "payload is not a readable audit record"
    if decision_id != row.decision_id:
        return "decision_id column does not match the payload"
    if stored_at != row.created_at:
        return "created_at column does not match the payload"
    return None


def verify_rows(rows: Iterable[StoredRecord]) -> VerifyReport:
    """Verify rows given in seq order (e.g. an exported copy of the log)."""
    verifier = ChainVerifier()
    for row in rows:
        broken = verifier.check(row)
        if broken is not None:
            return broken
    return verifier.report()


PageFetcher = Callable[[int, int], Awaitable[list[StoredRecord]]]


async def verify_pages(fetch_page: PageFetcher, page_size: int = 1000) -> VerifyReport:
    """Verify a log read as pages of rows with seq > after_seq, in seq order.

    Paging (rather than one long read) lets appends go on while a large log is
    verified; rows appended meanwhile are simply checked too.
    """
    verifier = ChainVerifier()
    after_seq = 0
    while rows := await fetch_page(after_seq, page_size):
        for row in rows:
            broken = verifier.check(row)
            if broken is not None:
                return broken
        after_seq = rows[-1].seq
    return verifier.report()
