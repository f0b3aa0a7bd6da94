"""A top-tier member walks in: the store's associate tablets get a short, governed summary."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis

from gateway.clienteling import channel_for
from tests.clienteling.support import (
    APP,
    ASSOCIATE,
    KIOSK,
    PrivateGateway,
    Tablet,
    audit_record,
    enter_store,
    post_events,
    private_gateway,
    unique_store,
)
from tests.conftest import TEST_REDIS_URL


@pytest.fixture(scope="module")
def gw(request: pytest.FixtureRequest) -> Iterator[PrivateGateway]:
    with private_gateway(request) as served:
        yield served


# Generous: a loaded test machine is slow; the latency itself is measured in evals/clienteling.
ARRIVES_WITHIN_S = 10.0


def test_a_top_tier_member_entering_reaches_the_stores_tablet(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Platinum")[0]
    store = unique_store()
    with Tablet(gw, store) as tablet:
        enter_store(gw, member, store)
        received = tablet.next(timeout=ARRIVES_WITHIN_S)
    assert received.event == "notification"
    note = received.data
    assert note["store_id"] == store
    assert note["member_ref"] == "…" + member[-2:]
    assert note["tier"] == "Platinum"
    assert note["governance"]["action"] in ("pass", "repaired")
    assert "Platinum" in note["text"]
    assert received.at - note["accepted_at"] < ARRIVES_WITHIN_S


def test_the_summary_shows_nothing_a_shop_floor_should_not(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Gold", "Platinum")[1]
    with sqlite3.connect(gw.member_db) as db:
        points, spend, age, income = db.execute(
            "SELECT points, annual_spend, age_band, income_band FROM members WHERE member_id = ?", (member,)
        ).fetchone()
    store = unique_store()
    with Tablet(gw, store) as tablet:
        enter_store(gw, member, store)
        note = tablet.next(timeout=ARRIVES_WITHIN_S).data
    shown = str(note)
    assert member not in shown.replace(note["event_id"], "")
    assert f"{points}" not in note["text"] and f"{points:,}" not in note["text"]
    assert f"{spend:.2f}" not in shown and f"{spend:,.2f}" not in shown
    for band in (age, income):
        assert band is None or band not in shown
    assert not re.search(r"\S+@\S+\.\w+", shown)  # no e-mail address
    assert not re.search(r"\d{7,}", note["text"])  # no phone or card number


def test_the_offer_is_one_eligible_offer_in_its_approved_wording(gw: PrivateGateway) -> None:
    # At the member's home store: offers need stock, and only real stores have any.
    notes = []
    for member in gw.members_of_tiers("Gold", "Platinum")[2:8]:
        store = gw.home_store(member)
        with Tablet(gw, store) as tablet:
            enter_store(gw, member, store)
            notes += [r.data for r in tablet.notifications_within(ARRIVES_WITHIN_S, until=1)
                      if r.data["member_ref"] == "…" + member[-2:]]
    with_offer = [n for n in notes if n["offer"]]
    assert with_offer, f"none of six top-tier members had an offer to mention: {notes}"
    for note in with_offer:
        assert note["offer"]["terms"] in note["text"]
        assert "[[offer:" not in note["text"]


def test_each_notification_is_audited_with_its_summary_and_verdict(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Gold")[0]
    store = unique_store()
    with Tablet(gw, store) as tablet:
        enter_store(gw, member, store)
        note = tablet.next(timeout=ARRIVES_WITHIN_S).data
    record = audit_record(gw, note["decision_id"])
    assert record["channel"] == "associate" and record["member_id"] == member
    assert record["final_text"] == note["text"]
    assert record["gate_action"] == note["governance"]["action"]
    extra = record["extra"]
    assert isinstance(extra, dict)
    assert extra["clienteling"]["store_id"] == store
    assert extra["clienteling"]["summary"]["tier"] == "Gold"
    assert extra["consent"]["refused"] == {}


def test_members_below_the_top_tiers_notify_nobody(gw: PrivateGateway) -> None:
    below = gw.members_of_tiers("Bronze", "Silver")[0]
    top = gw.members_of_tiers("Platinum")[2]
    store = unique_store()
    with Tablet(gw, store) as tablet:
        enter_store(gw, below, store)
        enter_store(gw, top, store)
        notes = tablet.notifications_within(3.0)
    assert [n.data["member_ref"] for n in notes] == ["…" + top[-2:]]


def test_other_events_and_other_stores_notify_nobody_here(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Platinum")[3]
    store, elsewhere = unique_store(), unique_store()
    with Tablet(gw, store) as tablet:
        post_events(gw, {"type": "app_open", "member_id": member},
                    {"type": "location_ping", "member_id": member, "zone": store})
        enter_store(gw, member, elsewhere)
        assert tablet.notifications_within(2.0) == []


def test_a_store_entry_from_long_ago_notifies_nobody(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Platinum")[4]
    store = unique_store()
    long_ago = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    with Tablet(gw, store) as tablet:
        post_events(gw, {"type": "store_entered", "member_id": member, "store_id": store,
                         "occurred_at": long_ago})
        assert tablet.notifications_within(2.0) == []


def test_only_the_associate_key_may_subscribe(gw: PrivateGateway) -> None:
    url = f"{gw.api}/stores/{unique_store()}/notifications"
    for headers in (APP, KIOSK):
        response = httpx.get(url, headers=headers, timeout=10)
        assert response.status_code == 403
        assert "associate" in response.json()["error"]["message"]
    assert httpx.get(url, timeout=10).status_code == 401


def test_a_store_id_that_is_not_an_id_is_refused(gw: PrivateGateway) -> None:
    response = httpx.get(f"{gw.api}/stores/a%20b*/notifications", headers=ASSOCIATE, timeout=10)
    assert response.status_code == 422


def test_the_stream_keeps_alive_and_a_disconnect_unsubscribes(gw: PrivateGateway) -> None:
    store = unique_store()
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        with Tablet(gw, store) as tablet:
            assert _subscribers(client, store) == 1
            time.sleep(1.2)  # pings every 0.5 s in this gateway
            assert tablet.pings >= 1
        deadline = time.monotonic() + 10
        while _subscribers(client, store) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _subscribers(client, store) == 0
    finally:
        client.close()


def _subscribers(client: redis.Redis, store: str) -> int:
    [(_, count)] = client.pubsub_numsub(channel_for(store))
    return int(count)
