"""The audit stage: every turn is recorded, hash-chained, before its answer leaves.

    record = record_from_turn(turn, model_version=...)   # pure snapshot of the why
    stored = await log.append(record)                    # durable when it returns
    report = await log.verify()                          # names the first broken row

`open_audit_log(settings.audit_db_url)` picks SQLite (embedded default) or
PostgreSQL (shared by every gateway process); both implement `AuditLog`.
The modules behind this surface are private.
"""

from gateway.audit._chain import (
    GENESIS_HASH,
    StoredRecord,
    VerifyReport,
    chain_hash,
    verify_rows,
)
from gateway.audit._log import ACCEPTED_SCHEMES, AuditLog, open_audit_log
from gateway.audit._postgres import PostgresAuditLog
from gateway.audit._record import (
    AuditRecord,
    FactsUsed,
    RouteInfo,
    ViolationInfo,
    canonical_json,
    record_from_turn,
)
from gateway.audit._sqlite import SqliteAuditLog

__all__ = [
    "ACCEPTED_SCHEMES",
    "GENESIS_HASH",
    "AuditLog",
    "AuditRecord",
    "FactsUsed",
    "PostgresAuditLog",
    "RouteInfo",
    "SqliteAuditLog",
    "StoredRecord",
    "VerifyReport",
    "ViolationInfo",
    "canonical_json",
    "chain_hash",
    "open_audit_log",
    "record_from_turn",
    "verify_rows",
]
