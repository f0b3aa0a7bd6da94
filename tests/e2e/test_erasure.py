"""DELETE /v1/members/{id}: the member is forgotten everywhere but the append-only audit log."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator

import httpx
import pytest
import redis

from gateway.audit import SqliteAuditLog
from gateway.events._keys import ProfileKeys
from tests.clienteling.support import (
    APP,
    ASSOCIATE,
    COMPLIANCE,
    PrivateGateway,
    ask,
    audit_records,
    enter_store,
    post_events,
    private_gateway,
    set_consent,
)
from tests.conftest import TEST_REDIS_URL

PARTS = ["offer_decisions", "frequency_caps", "semantic_cache", "event_stream", "hot_profile", "consent",
         "member_db"]


@pytest.fixture(scope="module")
def gw(request: pytest.FixtureRequest) -> Iterator[PrivateGateway]:
    with private_gateway(request) as served:
        yield served


@pytest.fixture(scope="module")
def erased(gw: PrivateGateway) -> tuple[str, dict[str, object]]:
    """A member with data in every store, then erased."""
    member = gw.members_of_tiers("Bronze", "Silver")[-1]
    set_consent(gw, member, location=False)
    enter_store(gw, member, "367")
    post_events(gw, {"type": "purchase", "member_id": member, "store_id": "367", "total": 4.0,
                     "items": [{"category": "SOFT DRINKS", "quantity": 1, "amount": 4.0}]})
    ask(gw, member, "how many points do I have?")
    httpx.get(f"{gw.api}/members/{member}/offers", params={"store_id": gw.home_store(member)},
              headers=APP, timeout=30).raise_for_status()
    wait_for_profile(member)
    response = httpx.delete(f"{gw.api}/members/{member}", headers=COMPLIANCE, timeout=60)
    assert response.status_code == 200, response.text
    return member, response.json()


def wait_for_profile(member: str) -> None:
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        for _ in range(200):
            if client.hexists(ProfileKeys.of(member).profile, "items"):
                return
            asyncio.run(asyncio.sleep(0.02))
        raise AssertionError("the purchase never reached the hot profile")
    finally:
        client.close()


def test_the_answer_counts_what_was_erased_from_each_part(erased: tuple[str, dict[str, object]]) -> None:
    member, body = erased
    counts = body["erased"]
    assert isinstance(counts, dict) and list(counts) == PARTS
    assert counts["member_db"] > 1  # the member row and purchase lines
    assert counts["consent"] == 1
    assert counts["event_stream"] == 2
    assert counts["hot_profile"] >= 1
    assert counts["offer_decisions"] >= 1
    assert body["member_id"] == member and "audit_log" in body["kept"]


def test_the_member_is_gone_from_the_member_database_and_the_api(
    gw: PrivateGateway, erased: tuple[str, dict[str, object]]
) -> None:
    member, _ = erased
    with sqlite3.connect(gw.member_db) as db:
        for table in ("members", "purchases", "offer_targets", "consent"):
            sql = f"SELECT count(*) FROM {table} WHERE member_id = ?"
            assert db.execute(sql, (member,)).fetchone() == (0,)
    assert httpx.get(f"{gw.api}/members/{member}/consent", headers=APP, timeout=10).status_code == 404
    assert httpx.delete(f"{gw.api}/members/{member}", headers=COMPLIANCE, timeout=10).status_code == 404


def test_nothing_of_the_member_is_left_in_redis(
    gw: PrivateGateway, erased: tuple[str, dict[str, object]]
) -> None:
    member, _ = erased
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        keys = ProfileKeys.of(member)
        assert not client.exists(keys.profile, keys.applied)
        assert [k for k in client.scan_iter(match=f"lg:cap:v1:{member}:*")] == []
        entries = client.xrange(gw.settings.events_stream)
        assert not [e for e in entries if member.encode() in e[1][b"event"]]
        for key in client.scan_iter(match="lg:nbo:v1:decision:*"):
            assert f'"member_id": "{member}"'.encode() not in (client.get(key) or b"")
    finally:
        client.close()


def test_the_audit_log_keeps_its_records_and_records_the_erasure_and_its_chain_holds(
    gw: PrivateGateway, erased: tuple[str, dict[str, object]]
) -> None:
    member, body = erased
    records = audit_records(gw, member)
    erasure = [r["extra"]["erasure"] for r in records if r["requested_model"] == "erasure"]
    assert erasure == [{"status": "requested", "parts": PARTS},
                       {"status": "completed", "counts": body["erased"]}]
    assert any(r["requested_model"] != "erasure" for r in records)  # past decisions stay, by design

    async def verify() -> bool:
        log = SqliteAuditLog(gw.settings.audit_db_url.removeprefix("sqlite:///"))
        try:
            return (await log.verify()).ok
        finally:
            await log.close()

    assert asyncio.run(verify())


def test_only_an_admin_key_may_erase_and_an_unknown_member_is_404(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Bronze", "Silver")[0]
    for headers in (APP, ASSOCIATE):
        response = httpx.delete(f"{gw.api}/members/{member}", headers=headers, timeout=10)
        assert response.status_code == 403 and "admin" in response.json()["error"]["message"]
    assert httpx.delete(f"{gw.api}/members/no-such-member", headers=COMPLIANCE, timeout=10).status_code == 404
    assert httpx.get(f"{gw.api}/members/{member}/consent", headers=APP, timeout=10).status_code == 200
