"""`SqliteConsentStore`: each member's consent per purpose, in a table of its own in the member database.

    consent(member_id, purpose, allowed, updated_at, source)   one row per member and purpose

The store creates its table on first use (the seeded member file has none), so the
seeding code needs to know nothing of it. A purpose without a row has never been
decided by the member: the resolver applies the documented default. Rows are
written in one transaction per update, so a change of several purposes is never
half-applied. sqlite3 blocks, so every call runs in a worker thread on one
writable connection guarded by a lock; sqlite3 errors become `StoreError`.

Re-seeding the demo replaces the member file, consent rows included: in production
the member database is PostgreSQL and is not re-seeded.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from gateway.consent._types import Purpose
from gateway.exceptions import StoreError

T = TypeVar("T")

_DDL = """
CREATE TABLE IF NOT EXISTS consent (
    member_id  TEXT NOT NULL,
    purpose    TEXT NOT NULL CHECK (purpose IN ('personalization', 'profiling', 'location')),
    allowed    INTEGER NOT NULL CHECK (allowed IN (0, 1)),
    updated_at TEXT NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (member_id, purpose)
) WITHOUT ROWID
"""


@dataclass(frozen=True)
class ConsentEntry:
    """One purpose as the member (or a signal on their behalf) last set it."""

    purpose: Purpose
    allowed: bool
    updated_at: datetime
    source: str  # the channel that set it ("app", "associate"), or "gpc" for a relayed signal


class SqliteConsentStore:
    """Implements the consent store and `Erasable` on a SQLite file (the member database)."""

    def __init__(
        self, path: Path | str, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    async def get(self, member_id: str) -> dict[Purpose, ConsentEntry]:
        """The purposes this member decided on; purposes never decided are absent."""
        rows = await self._run(lambda conn: conn.execute(
            "SELECT purpose, allowed, updated_at, source FROM consent WHERE member_id = ?", (member_id,)
        ).fetchall())
        return {Purpose(p): ConsentEntry(Purpose(p), bool(a), datetime.fromisoformat(u), s)
                for p, a, u, s in rows}

    async def set(self, member_id: str, changes: Mapping[Purpose, bool], *, source: str) -> None:
        """Record the member's choice for each purpose in `changes`, all in one transaction."""
        stamp = self._clock().astimezone(UTC).isoformat(timespec="microseconds")
        rows = [(member_id, p.value, int(allowed), stamp, source) for p, allowed in changes.items()]

        def write(conn: sqlite3.Connection) -> None:
            with conn:  # one transaction: all the purposes, or none
                conn.executemany(
                    "INSERT INTO consent (member_id, purpose, allowed, updated_at, source)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id, purpose) DO UPDATE SET"
                    " allowed = excluded.allowed, updated_at = excluded.updated_at,"
                    " source = excluded.source",
                    rows,
                )

        await self._run(write)

    async def forget_member(self, member_id: str) -> int:
        """Erasure: delete the member's consent rows; returns how many."""

        def delete(conn: sqlite3.Connection) -> int:
            with conn:
                return conn.execute("DELETE FROM consent WHERE member_id = ?", (member_id,)).rowcount

        return await self._run(delete)

    async def close(self) -> None:
        await asyncio.to_thread(self._close)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.to_thread(self._locked, work)

    def _locked(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return work(self._connection())
            except sqlite3.Error as e:
                raise StoreError(f"consent store {self._path}: {e}") from e

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the consent store is closed")
        if self._conn is None:
            if not self._path.is_file():
                raise StoreError(f"member database {self._path} does not exist: "
                                 "run `loyalty-gateway seed` first")
            conn = sqlite3.connect(self._path, timeout=5.0, check_same_thread=False)
            try:
                with conn:
                    conn.execute(_DDL)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None
