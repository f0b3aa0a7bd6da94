"""Helpers for the events tests: event documents and waiting for the consumer."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio

from gateway.events import HotProfile

APP_KEY = {"Authorization": "Bearer dev-app-key"}


def event(
    event_type: str, event_id: str, member_id: str = "1453", *, ago_s: float = 0, **fields: Any
) -> dict[str, Any]:
    """An event document as a client sends it, `ago_s` seconds in the past."""
    occurred = datetime.now(UTC) - timedelta(seconds=ago_s)
    return {"event_id": event_id, "type": event_type, "member_id": member_id,
            "occurred_at": occurred.isoformat(), **fields}


async def eventually(
    read: Callable[[], Awaitable[HotProfile]], holds: Callable[[HotProfile], bool], timeout: float = 5.0
) -> HotProfile:
    """Poll until the profile satisfies `holds`; the last profile read is returned either way."""
    deadline = time.monotonic() + timeout
    while True:
        profile = await read()
        if holds(profile) or time.monotonic() > deadline:
            return profile
        await anyio.sleep(0.005)
