"""GET and PUT /v1/members/{id}/consent: who may read and change a member's consent, and how."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest

from tests.clienteling.support import (
    APP,
    ASSOCIATE,
    COMPLIANCE,
    KIOSK,
    PrivateGateway,
    post_events,
    private_gateway,
)


@pytest.fixture(scope="module")
def gw(request: pytest.FixtureRequest) -> Iterator[PrivateGateway]:
    with private_gateway(request) as served:
        yield served


def consent_url(gw: PrivateGateway, member_id: str) -> str:
    return f"{gw.api}/members/{member_id}/consent"


def test_a_member_who_never_decided_sees_every_purpose_allowed_by_default(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Silver")[0]
    body = httpx.get(consent_url(gw, member), headers=APP, timeout=10).json()
    assert body["member_id"] == member
    assert body["purposes"] == {p: {"allowed": True, "updated_at": None, "source": "default"}
                                for p in ("personalization", "profiling", "location")}


def test_a_change_keeps_the_purposes_not_sent_and_names_the_channel(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Silver")[1]
    response = httpx.put(consent_url(gw, member), json={"location": False}, headers=APP, timeout=10)
    assert response.status_code == 200
    purposes = response.json()["purposes"]
    assert purposes["location"]["allowed"] is False and purposes["location"]["source"] == "app"
    assert purposes["location"]["updated_at"] is not None
    assert purposes["profiling"]["source"] == "default"
    again = httpx.put(consent_url(gw, member), json={"location": True, "profiling": False},
                      headers=ASSOCIATE, timeout=10).json()["purposes"]
    assert again["location"] == {**again["location"], "allowed": True, "source": "associate"}
    assert again["profiling"]["allowed"] is False
    assert httpx.get(consent_url(gw, member), headers=COMPLIANCE, timeout=10).json()["purposes"] == again


@pytest.mark.parametrize("body, field", [
    ({"location": False, "marketing": False}, "marketing"),
    ({"location": "no"}, "location"),
    ({"profiling": 0}, "profiling"),
    ({}, "body"),
])
def test_a_bad_body_is_refused_by_name(gw: PrivateGateway, body: dict[str, object], field: str) -> None:
    member = gw.members_of_tiers("Silver")[2]
    response = httpx.put(consent_url(gw, member), json=body, headers=APP, timeout=10)
    assert response.status_code == 422
    assert field in response.json()["error"]["message"]
    assert httpx.get(consent_url(gw, member), headers=APP, timeout=10).json()["purposes"]["location"][
        "source"] == "default"


def test_an_unknown_member_is_404_and_gets_no_rows(gw: PrivateGateway) -> None:
    for method in ("GET", "PUT"):
        response = httpx.request(method, consent_url(gw, "no-such-member"), json={"location": False},
                                 headers=APP, timeout=10)
        assert response.status_code == 404


def test_the_kiosk_may_not_touch_consent_and_compliance_may_only_read(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Silver")[3]
    url = consent_url(gw, member)
    assert httpx.get(url, headers=KIOSK, timeout=10).status_code == 403
    refused = httpx.put(url, json={"location": False}, headers=KIOSK, timeout=10)
    assert refused.status_code == 403 and "app" in refused.json()["error"]["message"]
    assert httpx.put(url, json={"location": False}, headers=COMPLIANCE, timeout=10).status_code == 403
    assert httpx.get(url, timeout=10).status_code == 401


def test_a_gpc_signal_on_events_is_kept_as_the_members_profiling_opt_out(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Silver")[4]
    post_events(gw, {"type": "app_open", "member_id": member}, {"type": "app_open", "member_id": "ghost-7"},
                headers={"Sec-GPC": "1"})
    profiling = httpx.get(consent_url(gw, member), headers=APP, timeout=10).json()["purposes"]["profiling"]
    assert profiling["allowed"] is False and profiling["source"] == "gpc"
    with sqlite3.connect(gw.member_db) as db:  # no row for an id that names no member
        assert db.execute("SELECT count(*) FROM consent WHERE member_id = 'ghost-7'").fetchone() == (0,)


def test_a_gpc_header_of_another_value_is_no_signal(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Silver")[5]
    post_events(gw, {"type": "app_open", "member_id": member}, headers={"Sec-GPC": "0"})
    profiling = httpx.get(consent_url(gw, member), headers=APP, timeout=10).json()["purposes"]["profiling"]
    assert profiling["source"] == "default"
