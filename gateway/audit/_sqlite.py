"""The embedded audit log: one SQLite file, hash-chained.

Durability: WAL journal with `synchronous=FULL`, so a committed append survives
a power cut. Chain safety: the last hash is read and the new row inserted in
one `BEGIN IMMEDIATE` transaction, which takes the file's write lock first, so
two processes sharing the file cannot both extend the same row. The sqlite3
connection is used from one worker thread at a time (a lock), and all blocking
work runs off the event loop in `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from gateway.audit._chain import GENESIS_HASH, StoredRecord, VerifyReport, chain_hash, verify_pages
from gateway.audit._record import AuditRecord, iso_utc
from gateway.exceptions import AuditWriteError, InvalidRequest, StoreError

P = ParamSpec("P")
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq         INTEGER PRIMARY KEY,
    decision_id TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_created_at ON audit_log (created_at);
"""
_COLUMNS = "seq, decision_id, created_at, payload, prev_hash, hash"


class SqliteAuditLog:
    """Hash-chained audit log in a SQLite file; opened on first use, not at construction."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_s: float = 10.0) -> None:
        self._path = Path(path)
        self._busy_timeout_s = busy_timeout_s
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    async def append(self, record: AuditRecord) -> StoredRecord:
        payload = record.to_json()
        try:
            return await asyncio.to_thread(self._locked, _append, record, payload)
        except (sqlite3.Error, OSError, StoreError) as e:
            raise AuditWriteError(f"audit record {record.decision_id} not written: {e}") from e

    async def get(self, decision_id: str) -> StoredRecord | None:
        rows = await self._read(f"SELECT {_COLUMNS} FROM audit_log WHERE decision_id = ?", (decision_id,))
        return rows[0] if rows else None

    async def recent(self, limit: int, since: datetime | None = None) -> list[StoredRecord]:
        """Newest first (by seq); `since` filters on the record's created_at, inclusive."""
        if limit < 1:
            raise InvalidRequest(f"limit must be at least 1, got {limit}")
        floor = iso_utc(since) if since is not None else ""
        return await self._read(
            f"SELECT {_COLUMNS} FROM audit_log WHERE created_at >= ? ORDER BY seq DESC LIMIT ?",
            (floor, limit),
        )

    async def verify(self) -> VerifyReport:
        return await verify_pages(self._page)

    async def page(self, after_seq: int, size: int) -> list[StoredRecord]:
        """Up to `size` rows with seq > `after_seq`, oldest first: a full scan in pages."""
        return await self._page(after_seq, size)

    async def close(self) -> None:
        await asyncio.to_thread(self._close)

    async def _page(self, after_seq: int, size: int) -> list[StoredRecord]:
        return await self._read(
            f"SELECT {_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
            (after_seq, size),
        )

    async def _read(self, query: str, params: tuple[object, ...]) -> list[StoredRecord]:
        try:
            return await asyncio.to_thread(self._locked, _select, query, params)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"audit log read failed: {e}") from e

    def _locked(self, work: Callable[Concatenate[sqlite3.Connection, P], T], *a: P.args, **k: P.kwargs) -> T:
        with self._lock:
            return work(self._connection(), *a, **k)

    def _connection(self) -> sqlite3.Connection:
        """Open on first use (in a worker thread): no file I/O in __init__ or at import."""
        if self._closed:
            raise StoreError("audit log is closed")
        if self._conn is None:
            self._conn = _connect(self._path, self._busy_timeout_s)
        return self._conn

    def _close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _connect(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves; check_same_thread=False
    # because to_thread may pick a different worker each time (the lock serialises).
    conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(_SCHEMA)
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _append(conn: sqlite3.Connection, record: AuditRecord, payload: str) -> StoredRecord:
    created_at = record.created_datetime
    conn.execute("BEGIN IMMEDIATE")
    try:
        last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        stored = StoredRecord(
            seq, record.decision_id, created_at, payload, prev_hash, chain_hash(prev_hash, payload)
        )
        conn.execute(
            f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (seq, stored.decision_id, iso_utc(created_at), payload, prev_hash, stored.hash),
        )
        conn.execute("COMMIT")
    except BaseException:
        # Whatever failed (constraint, disk, interrupt), no half-written row stays.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return stored


def _select(conn: sqlite3.Connection, query: str, params: tuple[object, ...]) -> list[StoredRecord]:
    return [
        StoredRecord(seq, decision_id, _parse_time(created_at), payload, prev, digest)
        for seq, decision_id, created_at, payload, prev, digest in conn.execute(query, params)
    ]


def _parse_time(text: str) -> datetime:
    """The column is written by us; an edited, unreadable value is left for verify to
    flag (it will not match the payload) rather than making every read fail."""
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)
