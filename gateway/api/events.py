"""POST /v1/events: a batch of member events, judged one by one (scope `events`).

The answer is 200 whenever the batch itself is readable, and says what became
of every event: `accepted` (new, in the stream), `duplicates` (an id seen
before: not applied twice) and `rejected` (index in the batch and reason). A
body whose `events` is not a list is 422; more events than the limit, 413.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from gateway.api.deps import _caller_with
from gateway.api.keys import Caller, Scope
from gateway.events import EventIngestor, IngestResult

router = APIRouter(tags=["events"])
EventsCaller = Annotated[Caller, _caller_with(Scope.EVENTS)]


class EventBatch(BaseModel):
    """Each element is validated on its own by the ingestor, so one bad event
    does not fail the others."""

    model_config = ConfigDict(extra="forbid")
    events: list[Any] = Field(description="purchase, app_open, location_ping, store_entered, redemption")


class _WithEvents(Protocol):
    events: EventIngestor


def _ingestor(request: Request) -> EventIngestor:
    services: _WithEvents = request.state.services
    return services.events


IngestorDep = Annotated[EventIngestor, Depends(_ingestor)]


@router.post("/v1/events")
async def post_events(body: EventBatch, caller: EventsCaller, ingestor: IngestorDep) -> IngestResult:
    return await ingestor.ingest(body.events, source=caller.channel.value)
