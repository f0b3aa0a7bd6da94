"""The one interface the pipeline sees, and the URL that picks a store for it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from gateway.audit._chain import StoredRecord, VerifyReport
from gateway.audit._postgres import PostgresAuditLog
from gateway.audit._record import AuditRecord
from gateway.audit._sqlite import SqliteAuditLog
from gateway.exceptions import ConfigError

ACCEPTED_SCHEMES = ("sqlite:///", "postgresql://", "postgres://")


class AuditLog(Protocol):
    """A durable, hash-chained log of decisions.

    Store failures surface as `StoreError`; a failed `append` as `AuditWriteError`,
    after which the answer must be withheld (nothing half-written is left behind).
    """

    async def append(self, record: AuditRecord) -> StoredRecord:
        """Add one record at the end of the chain; durable when this returns."""
        ...

    async def get(self, decision_id: str) -> StoredRecord | None: ...

    async def recent(self, limit: int, since: datetime | None = None) -> list[StoredRecord]:
        """Up to `limit` records, newest first, created at or after `since`."""
        ...

    async def page(self, after_seq: int, size: int) -> list[StoredRecord]:
        """Up to `size` records with seq > `after_seq`, oldest first (see `scan`)."""
        ...

    async def verify(self) -> VerifyReport:
        """Walk the whole chain and name the first broken row, if any."""
        ...

    async def close(self) -> None: ...


def open_audit_log(url: str) -> AuditLog:
    """`sqlite:///relative/path`, `sqlite:////absolute/path` or a PostgreSQL URL.

    Nothing is opened here: each store connects on first use, so building the
    pipeline stays free of I/O. The URL may hold a password, so it never goes
    into an error message.
    """
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "sqlite" and rest.startswith("/") and len(rest) > 1:
        return SqliteAuditLog(Path(rest[1:]))
    if sep and scheme in ("postgresql", "postgres"):
        return PostgresAuditLog(url)
    accepted = ", ".join(f"{s}..." for s in ACCEPTED_SCHEMES)
    shown = f"{scheme}://" if sep else "no scheme"
    raise ConfigError(f"unsupported audit log URL ({shown}): accepted schemes are {accepted}")
