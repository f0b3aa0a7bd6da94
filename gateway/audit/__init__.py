"""The audit stage: every turn is recorded, hash-chained, before its answer leaves.

    record = record_from_turn(turn, model_version=...)   # pure snapshot of the why
    stored = await log.append(record)                    # durable when it returns
    report = await log.verify()                          # names the first broken row
    async for row in scan(log, since=...): ...           # the whole log, a page at a time

Answer feedback (thumbs, associates' corrections) is a record of the same chain:
`AnswerFeedbackService.submit` checks and appends it, `feedback_of` reads it back.

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
from gateway.audit._feedback import (
    FEEDBACK_MODEL,
    AnswerFeedback,
    feedback_of,
    feedback_record,
    is_answered_turn,
)
from gateway.audit._feedback_service import AnswerFeedbackService
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
from gateway.audit._scan import scan
from gateway.audit._sqlite import SqliteAuditLog

__all__ = [
    "ACCEPTED_SCHEMES",
    "FEEDBACK_MODEL",
    "GENESIS_HASH",
    "AnswerFeedback",
    "AnswerFeedbackService",
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
    "feedback_of",
    "feedback_record",
    "is_answered_turn",
    "open_audit_log",
    "record_from_turn",
    "scan",
    "verify_rows",
]
