"""POST /v1/events: scope, batch shape and the per-event answer, over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import redis.asyncio as redis

from gateway.events import STREAM

from .support import APP_KEY, event

pytestmark = pytest.mark.anyio


async def test_events_scope_is_required(http: httpx.AsyncClient) -> None:
    batch = {"events": [event("app_open", "e1")]}
    no_key = await http.post("/v1/events", json=batch)
    kiosk = await http.post("/v1/events", json=batch, headers={"Authorization": "Bearer dev-kiosk-key"})
    associate = await http.post(
        "/v1/events", json=batch, headers={"Authorization": "Bearer dev-associate-key"}
    )
    assert no_key.status_code == 401
    assert kiosk.status_code == 403
    assert kiosk.json()["error"]["message"] == "the kiosk channel's key lacks the 'events' scope"
    assert associate.status_code == 200


async def test_a_bad_event_is_rejected_by_index_and_the_rest_are_kept(
    http: httpx.AsyncClient, client: redis.Redis
) -> None:
    batch = [
        event("store_entered", "e1", store_id="367"),
        event("store_entered", "e2"),
        event("app_open", "e3"),
    ]
    reply = await http.post("/v1/events", json={"events": batch}, headers=APP_KEY)
    assert reply.status_code == 200
    assert reply.json() == {
        "accepted": 2,
        "duplicates": 0,
        "rejected": [{"index": 1, "reason": "store_id: Field required", "event_id": "e2"}],
    }
    assert await client.xlen(STREAM) == 2


async def test_a_batch_that_is_not_a_list_is_refused_whole(http: httpx.AsyncClient) -> None:
    bodies: list[Any] = [{"events": {"event_id": "e1"}}, {"event": []}, [event("app_open", "e1")]]
    for body in bodies:
        reply = await http.post("/v1/events", json=body, headers=APP_KEY)
        assert reply.status_code == 422, body
        assert reply.json()["error"]["code"] == "invalid_request"


async def test_a_batch_over_the_limit_is_refused_whole_naming_the_limit(
    http: httpx.AsyncClient, client: redis.Redis
) -> None:
    batch = [event("app_open", f"e{i}") for i in range(21)]
    reply = await http.post("/v1/events", json={"events": batch}, headers=APP_KEY)
    assert reply.status_code == 413
    assert reply.json()["error"]["message"] == "21 events in one batch; the limit is 20"
    assert await client.exists(STREAM) == 0
