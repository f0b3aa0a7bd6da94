"""From POST to the member's hot profile, and what the profile keeps."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
import redis.asyncio as redis

from gateway.events import EventConsumer, EventIngestor, HotProfile, HotProfiles, StoreVisit
from gateway.events._schema import EVENT_ADAPTER

from .support import APP_KEY, event, eventually

pytestmark = pytest.mark.anyio


def to_the_millisecond(moment: datetime) -> datetime:
    """Profiles keep times as epoch milliseconds."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


async def test_store_entered_is_reflected_in_the_hot_profile(
    http: httpx.AsyncClient, profiles: HotProfiles, consumer: EventConsumer
) -> None:
    entered = event("store_entered", "e1", store_id="367")
    reply = await http.post("/v1/events", json={"events": [entered]}, headers=APP_KEY)
    assert reply.json()["accepted"] == 1
    profile = await eventually(lambda: profiles.get("1453"), lambda p: p.last_store is not None)
    assert profile.last_store is not None
    assert profile.last_store.store_id == "367"
    assert profile.last_store.at == to_the_millisecond(datetime.fromisoformat(entered["occurred_at"]))


async def test_a_repeated_event_id_is_a_duplicate_not_a_second_update(
    ingestor: EventIngestor, profiles: HotProfiles, consumer: EventConsumer
) -> None:
    purchase = event("purchase", "p1", store_id="367", total="10.50",
                     items=[{"category": "BAKERY", "quantity": 1, "amount": "10.50"}])
    first = await ingestor.ingest([purchase, purchase])
    again = await ingestor.ingest([purchase, event("app_open", "a1")])
    assert (first.accepted, first.duplicates) == (1, 1)
    assert (again.accepted, again.duplicates) == (1, 1)
    profile = await eventually(lambda: profiles.get("1453"), lambda p: p.last_app_open is not None)
    assert profile.points_since_seed == 21  # 10.50 × 2 points per dollar, once
    assert len(profile.recent_items) == 1


async def test_applying_one_event_twice_changes_the_profile_once(profiles: HotProfiles) -> None:
    purchase = EVENT_ADAPTER.validate_python(event(
        "purchase", "p1", store_id="367", total="3.99",
        items=[{"product_id": "P9", "quantity": 1, "amount": "3.99"}],
    ))
    assert await profiles.apply(purchase) is True
    assert await profiles.apply(purchase) is False  # a redelivery after a consumer died
    profile = await profiles.get("1453")
    assert profile.points_since_seed == 7  # 3.99 × 2 = 7.98, rounded down
    assert [item.product_id for item in profile.recent_items] == ["P9"]


async def test_a_member_without_events_has_an_empty_profile(profiles: HotProfiles) -> None:
    profile = await profiles.get("no-such-member")
    assert profile == HotProfile("no-such-member")
    assert profile.is_empty


async def test_an_older_store_visit_arriving_late_does_not_replace_a_newer_one(
    profiles: HotProfiles,
) -> None:
    newer = EVENT_ADAPTER.validate_python(event("store_entered", "e2", store_id="400", ago_s=10))
    older = EVENT_ADAPTER.validate_python(event("store_entered", "e1", store_id="367", ago_s=60))
    await profiles.apply(newer)
    await profiles.apply(older)
    profile = await profiles.get("1453")
    assert profile.last_store == StoreVisit("400", to_the_millisecond(newer.occurred_at))


async def test_the_profile_keeps_location_app_opens_redemptions_and_categories_newest_first(
    profiles: HotProfiles,
) -> None:
    items = [
        {"category": "DAIRY", "quantity": 2, "amount": 4},
        {"category": "BAKERY", "quantity": 1, "amount": 3},
    ]
    for raw in (
        event("purchase", "p1", store_id="367", items=items, total=7, ago_s=300),
        event("purchase", "p2", store_id="367", total=2, ago_s=100,
              items=[{"category": "PRODUCE", "quantity": 1, "amount": 2}]),
        event("location_ping", "l1", zone="north-mall", ago_s=50),
        event("redemption", "r1", offer_id="OFR-1", store_id="367", ago_s=40),
        event("app_open", "a1", ago_s=30),
    ):
        await profiles.apply(EVENT_ADAPTER.validate_python(raw))
    profile = await profiles.get("1453")
    assert profile.recent_categories == ("PRODUCE", "DAIRY", "BAKERY")
    assert profile.location is not None and profile.location.zone == "north-mall"
    assert profile.location.lat is None
    assert [r.offer_id for r in profile.recent_redemptions] == ["OFR-1"]
    assert profile.last_app_open is not None
    assert profile.points_since_seed == 18


async def test_recent_items_are_capped_keeping_the_newest(client: redis.Redis) -> None:
    profiles = HotProfiles(client, points_per_dollar=1, max_items=3)
    for i in range(5):
        raw = event("purchase", f"p{i}", store_id="367", total=1, ago_s=100 - i,
                    items=[{"category": f"C{i}", "quantity": 1, "amount": 1}])
        await profiles.apply(EVENT_ADAPTER.validate_python(raw))
    profile = await profiles.get("1453")
    assert profile.recent_categories == ("C4", "C3", "C2")
    assert profile.points_since_seed == 5


async def test_an_erased_member_is_not_brought_back_by_events_from_before_the_erasure(
    profiles: HotProfiles,
) -> None:
    before = EVENT_ADAPTER.validate_python(event("store_entered", "e1", store_id="367", ago_s=5))
    await profiles.apply(before)
    await profiles.erase("1453")
    assert (await profiles.get("1453")).is_empty
    in_flight = EVENT_ADAPTER.validate_python(event("app_open", "e2", ago_s=2))
    assert await profiles.apply(in_flight) is False
    assert (await profiles.get("1453")).is_empty
