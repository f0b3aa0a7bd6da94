"""The consumer group: nothing lost when a consumer dies, nothing left running on stop."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from functools import partial
from typing import Any

import anyio
import pytest
import redis.asyncio as redis

from gateway.events import STREAM, AppliedEvent, EventConsumer, EventIngestor, HotProfiles

from .support import event, eventually

pytestmark = pytest.mark.anyio
GROUP = "hot-profiles"


async def read_without_acknowledging(client: redis.Redis, consumer_name: str) -> int:
    """What a process does before it dies: the entries are now pending under its name."""
    await client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    reply: Any = await client.xreadgroup(GROUP, consumer_name, {STREAM: ">"}, count=100)
    return sum(len(entries) for _, entries in reply)


async def pending(client: redis.Redis) -> int:
    summary = await client.xpending(STREAM, GROUP)
    return int(summary["pending"])


async def pending_once_acknowledged(client: redis.Redis) -> int:
    """Entries still pending once the consumer has had time to acknowledge its batch
    (it acknowledges just after the profile writes that the tests wait for)."""
    with anyio.move_on_after(2):
        while await pending(client):
            await asyncio.sleep(0.005)
    return await pending(client)


async def test_pending_events_of_a_dead_consumer_are_claimed(
    client: redis.Redis, ingestor: EventIngestor, profiles: HotProfiles
) -> None:
    await ingestor.ingest([event("store_entered", f"e{i}", f"m{i}", store_id="367") for i in range(3)])
    assert await read_without_acknowledging(client, "dead-process") == 3
    survivor = EventConsumer(client, profiles, GROUP, "survivor",
                             claim_idle=timedelta(milliseconds=50), claim_every=timedelta(milliseconds=20))
    await survivor.start()
    try:
        for member_id in ("m0", "m1", "m2"):
            profile = await eventually(partial(profiles.get, member_id), lambda p: p.last_store is not None)
            assert profile.last_store is not None
        assert await pending_once_acknowledged(client) == 0
    finally:
        await survivor.stop()


async def test_a_restarted_consumer_first_applies_what_it_had_read_before(
    client: redis.Redis, ingestor: EventIngestor, profiles: HotProfiles
) -> None:
    await ingestor.ingest([event("app_open", "e1")])
    assert await read_without_acknowledging(client, "gateway-1") == 1
    restarted = EventConsumer(client, profiles, GROUP, "gateway-1", claim_idle=timedelta(hours=1))
    await restarted.start()
    try:
        profile = await eventually(lambda: profiles.get("1453"), lambda p: p.last_app_open is not None)
        assert profile.last_app_open is not None
        assert await pending_once_acknowledged(client) == 0
    finally:
        await restarted.stop()


async def test_stop_returns_promptly_and_leaves_no_task_running(
    client: redis.Redis, profiles: HotProfiles
) -> None:
    consumer = EventConsumer(client, profiles, GROUP, "short-lived", block=timedelta(milliseconds=200))
    await consumer.start()
    await asyncio.sleep(0.05)  # now blocked in XREADGROUP
    assert consumer.running
    started = time.monotonic()
    await consumer.stop()
    assert time.monotonic() - started < 1.0
    assert not consumer.running
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("event-consumer")]
    with pytest.raises(Exception, match="not running"):
        await consumer.check()


async def test_an_unreadable_entry_is_set_aside_and_the_rest_are_applied(
    client: redis.Redis, ingestor: EventIngestor, profiles: HotProfiles, consumer: EventConsumer
) -> None:
    await client.xadd(STREAM, {"event": "{not json", "accepted_at": "0"})
    await ingestor.ingest([event("app_open", "e1")])
    profile = await eventually(lambda: profiles.get("1453"), lambda p: p.last_app_open is not None)
    assert profile.last_app_open is not None
    set_aside: Any = await client.xrange(STREAM + ":dead")
    [(_, fields)] = set_aside
    assert fields[b"event"] == b"{not json"
    assert b"Invalid JSON" in fields[b"reason"]
    assert await pending_once_acknowledged(client) == 0


async def test_each_applied_event_reports_when_it_was_accepted_and_applied(
    client: redis.Redis, ingestor: EventIngestor, profiles: HotProfiles
) -> None:
    seen: list[AppliedEvent] = []
    consumer = EventConsumer(client, profiles, GROUP, "reporting", on_applied=seen.append)
    await consumer.start()
    try:
        await ingestor.ingest([event("app_open", "e1")], source="app")
        await eventually(lambda: profiles.get("1453"), lambda p: p.last_app_open is not None)
    finally:
        await consumer.stop()
    [applied] = seen
    assert applied.event.event_id == "e1" and applied.source == "app" and applied.changed
    assert 0 <= applied.freshness_s < 1.0


async def test_an_event_that_redis_refuses_is_set_aside_and_the_others_are_applied(
    client: redis.Redis, ingestor: EventIngestor, profiles: HotProfiles, consumer: EventConsumer
) -> None:
    await client.set("lg:hot:v1:{broken}", "not a hash")  # any update of this member fails
    await ingestor.ingest([event("app_open", "e1", "broken"), event("app_open", "e2", "1453")])
    profile = await eventually(lambda: profiles.get("1453"), lambda p: p.last_app_open is not None)
    assert profile.last_app_open is not None
    assert await pending_once_acknowledged(client) == 0  # set aside before the acknowledgement
    set_aside: Any = await client.xrange(STREAM + ":dead")
    [(_, fields)] = set_aside
    assert b'"event_id":"e1"' in fields[b"event"]
    assert b"WRONGTYPE" in fields[b"reason"]


async def test_the_consumer_carries_on_when_the_stream_and_its_group_are_deleted(
    client: redis.Redis, ingestor: EventIngestor, profiles: HotProfiles
) -> None:
    consumer = EventConsumer(client, profiles, GROUP, "resilient", retry_after=timedelta(milliseconds=20))
    await consumer.start()
    try:
        await ingestor.ingest([event("app_open", "e1", "m1")])
        await eventually(lambda: profiles.get("m1"), lambda p: p.last_app_open is not None)
        await client.delete(STREAM)  # an operator's mistake: XREADGROUP now fails with NOGROUP
        await asyncio.sleep(0.2)
        await ingestor.ingest([event("app_open", "e2", "m2")])
        profile = await eventually(lambda: profiles.get("m2"), lambda p: p.last_app_open is not None)
        assert profile.last_app_open is not None
        assert consumer.running
    finally:
        await consumer.stop()
