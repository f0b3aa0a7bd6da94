"""The production audit log: one PostgreSQL table, hash-chained, shared by every process.

Chain safety: each append runs in one transaction that first takes a
transaction-scoped advisory lock keyed on the table, then reads the last hash
and inserts. Every gateway process appends through the same lock, so the chain
cannot fork, and a failed append rolls back whole. `seq` is assigned under that
lock rather than by a sequence, because a rolled-back nextval() would leave a
gap that `verify` must treat as a deleted row.

The payload column is `text`, not `jsonb`: jsonb re-orders keys and would no
longer hash to the stored value.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, LiteralString

import psycopg
from psycopg import sql

from gateway.audit._chain import GENESIS_HASH, StoredRecord, VerifyReport, chain_hash, verify_pages
from gateway.audit._pgpool import ConnectionPool
from gateway.audit._record import AuditRecord
from gateway.exceptions import AuditWriteError, ConfigError, InvalidRequest, StoreError

# Interpolated into SQL (quoted as an identifier too); short enough that the
# index name derived from it stays under PostgreSQL's 63-byte limit.
_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,47}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    seq         bigint PRIMARY KEY,
    decision_id text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    payload     text NOT NULL,
    prev_hash   text NOT NULL,
    hash        text NOT NULL
);
CREATE INDEX IF NOT EXISTS {index} ON {table} (created_at)
"""
_COLUMNS = "seq, decision_id, created_at, payload, prev_hash, hash"


class PostgresAuditLog:
    """Hash-chained audit log in a PostgreSQL table; connects on first use."""

    def __init__(self, url: str, table: str = "audit_log", *, pool_size: int = 4) -> None:
        if not _TABLE_NAME.fullmatch(table):
            raise ConfigError(
                f"invalid audit table name {table!r}: use lowercase letters, digits and "
                "underscores, starting with a letter or underscore, at most 48 characters"
            )
        self._table_name = table
        self._table = sql.Identifier(table)
        self._lock_key = _advisory_key(table)
        self._pool = ConnectionPool(url, pool_size, setup=self._create_schema)

    async def append(self, record: AuditRecord) -> StoredRecord:
        payload = record.to_json()
        try:
            return await self._append(record, payload)
        except (psycopg.Error, StoreError) as e:
            raise AuditWriteError(f"audit record {record.decision_id} not written: {e}") from e

    async def get(self, decision_id: str) -> StoredRecord | None:
        rows = await self._select("WHERE decision_id = %s", (decision_id,))
        return rows[0] if rows else None

    async def recent(self, limit: int, since: datetime | None = None) -> list[StoredRecord]:
        """Newest first (by seq); `since` filters on the record's created_at, inclusive."""
        if limit < 1:
            raise InvalidRequest(f"limit must be at least 1, got {limit}")
        if since is None:
            return await self._select("ORDER BY seq DESC LIMIT %s", (limit,))
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return await self._select("WHERE created_at >= %s ORDER BY seq DESC LIMIT %s", (since, limit))

    async def verify(self) -> VerifyReport:
        return await verify_pages(self._page)

    async def page(self, after_seq: int, size: int) -> list[StoredRecord]:
        """Up to `size` rows with seq > `after_seq`, oldest first: a full scan in pages."""
        return await self._page(after_seq, size)

    async def close(self) -> None:
        await self._pool.close()

    async def _page(self, after_seq: int, size: int) -> list[StoredRecord]:
        return await self._select("WHERE seq > %s ORDER BY seq LIMIT %s", (after_seq, size))

    async def _append(self, record: AuditRecord, payload: str) -> StoredRecord:
        created_at = record.created_datetime
        last_row = sql.SQL("SELECT seq, hash FROM {} ORDER BY seq DESC LIMIT 1").format(self._table)
        insert = sql.SQL("INSERT INTO {} (" + _COLUMNS + ") VALUES (%s, %s, %s, %s, %s, %s)")
        async with self._pool.connection() as conn, conn.transaction():
            # Durable on return even if the server defaults to asynchronous commit.
            await conn.execute("SET LOCAL synchronous_commit = on")
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            last = await (await conn.execute(last_row)).fetchone()
            seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
            digest = chain_hash(prev_hash, payload)
            await conn.execute(
                insert.format(self._table),
                (seq, record.decision_id, created_at, payload, prev_hash, digest),
            )
        return StoredRecord(seq, record.decision_id, created_at, payload, prev_hash, digest)

    async def _select(self, clause: LiteralString, params: tuple[Any, ...]) -> list[StoredRecord]:
        query = sql.SQL("SELECT " + _COLUMNS + " FROM {} " + clause).format(self._table)
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(query, params)
                rows = await cursor.fetchall()
        except psycopg.Error as e:
            raise StoreError(f"audit log read failed: {e}") from e
        return [
            StoredRecord(seq, decision_id, created_at.astimezone(UTC), payload, prev, digest)
            for seq, decision_id, created_at, payload, prev, digest in rows
        ]

    async def _create_schema(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """Idempotent; under the append lock so concurrent first connections do not race
        on CREATE TABLE IF NOT EXISTS (which is not safe against itself)."""
        index = sql.Identifier(f"{self._table_name}_created_at")
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            await conn.execute(sql.SQL(_SCHEMA).format(table=self._table, index=index))


def _advisory_key(table: str) -> int:
    """A stable signed 64-bit lock id per table, the same in every process."""
    digest = hashlib.sha256(f"gateway.audit:{table}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
