"""POST /v1/events: a batch of member events, judged one by one (scope `events`).

The answer is 200 whenever the batch itself is readable, and says what became
of every event: `accepted` (new, in the stream), `duplicates` (an id seen
before: not applied twice) and `rejected` (index in the batch and reason). A
body whose `events` is not a list is 422; more events than the limit, 413.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from gateway.api.deps import EventsCaller, ServicesDep
from gateway.api.schemas import GpcSignal
from gateway.events import IngestResult

router = APIRouter(tags=["events"])
_MEMBER_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,64}")  # as the event schema's member id


class EventBatch(BaseModel):
    """Each element is validated on its own by the ingestor, so one bad event
    does not fail the others."""

    model_config = ConfigDict(extra="forbid")
    events: list[Any] = Field(description="purchase, app_open, location_ping, store_entered, redemption")


@router.post("/v1/events")
async def post_events(
    body: EventBatch, caller: EventsCaller, services: ServicesDep, gpc: GpcSignal
) -> IngestResult:
    """With `Sec-GPC: 1`, the members the events name are opted out of profiling first (kept
    as their consent, source "gpc"), so no decision made from these events profiles them."""
    if gpc and services.consent is not None:
        await services.consent.record_gpc(_member_ids(body.events))
    return await services.events.ingest(body.events, source=caller.channel.value)


def _member_ids(events: list[Any]) -> list[str]:
    found = (e.get("member_id") for e in events if isinstance(e, dict))
    return [m for m in found if isinstance(m, str) and _MEMBER_ID.fullmatch(m)]
