"""GET /v1/stores/{id}/notifications: the store's associate tablets, as server-sent events.

Only the associate channel's key may subscribe (a member's summary is for staff, not
for the app or the kiosk). The stream opens with a `ready` event once the
subscription is live (a notification published after it is not missed), sends a
`notification` event per top-tier member who walks in, and a keep-alive comment
every `NOTIFICATIONS_PING_S` seconds. A tablet that disconnects is unsubscribed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path
from sse_starlette import EventSourceResponse, ServerSentEvent

from gateway.api.deps import ServicesDep
from gateway.api.keys import Caller
from gateway.clienteling import Subscription
from gateway.exceptions import ScopeError, StoreError
from gateway.turn import Channel

router = APIRouter(tags=["clienteling"])

StoreId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]


def _associate(services: ServicesDep, authorization: Annotated[str | None, Header()] = None) -> Caller:
    caller = services.keys.authenticate(authorization)
    if caller.channel is not Channel.ASSOCIATE:
        raise ScopeError(f"store notifications are for associate tablets only: the {caller.channel.value} "
                         "channel's key cannot subscribe (use the associate key)")
    return caller


AssociateCaller = Annotated[Caller, Depends(_associate)]


@router.get("/v1/stores/{store_id}/notifications", response_model=None)
async def store_notifications(
    store_id: StoreId, caller: AssociateCaller, services: ServicesDep
) -> EventSourceResponse:
    if services.store_feed is None:
        raise StoreError("store notifications are not available in this deployment",
                         code="notifications_unavailable")
    subscription = await services.store_feed.subscribe(store_id)
    return EventSourceResponse(
        _events(store_id, subscription), ping=services.settings.notifications_ping_s,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(store_id: str, subscription: Subscription) -> AsyncIterator[ServerSentEvent]:
    try:
        yield ServerSentEvent(data=json.dumps({"store_id": store_id}), event="ready")
        async for notification in subscription.notifications():
            yield ServerSentEvent(data=json.dumps(notification), event="notification",
                                  id=str(notification.get("decision_id", "")))
    finally:
        await subscription.close()  # also when the tablet disconnects (the generator is closed)
