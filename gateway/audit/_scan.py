"""Reading the whole log in seq order, a page at a time (training, dataset export)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from gateway.audit._chain import StoredRecord
from gateway.audit._log import AuditLog


async def scan(
    log: AuditLog, *, since: datetime | None = None, page_size: int = 1000
) -> AsyncIterator[StoredRecord]:
    """Every stored row, oldest first; with `since`, only rows created at or after it.

    Paging keeps memory flat on a large log and lets appends go on meanwhile.
    """
    after_seq = 0
    while rows := await log.page(after_seq, page_size):
        for row in rows:
            if since is None or row.created_at >= since:
                yield row
        after_seq = rows[-1].seq
