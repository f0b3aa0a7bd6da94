"""Consent bound to purpose, end to end: a refused purpose's features are not used, and the audit shows it.

Through the HTTP API only: consent is set with PUT /v1/members/{id}/consent (or a GPC
header), events go through POST /v1/events, and what a decision used is read from the
prompt the hosted LLM received, the answer's offers and the decision's audit record.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.clienteling.support import (
    APP,
    GPC,
    PrivateGateway,
    Tablet,
    ask,
    audit_record,
    audit_records,
    enter_store,
    post_events,
    private_gateway,
    set_consent,
    unique_store,
)
from tests.support import UpstreamServer

OPEN_QUESTION = "Do you sell fresh bread in the mornings?"
MEMBER_FOR = {"location": 1, "personalization": 2, "profiling": 3}  # a top-tier member per test


@pytest.fixture(scope="module")
def gw(request: pytest.FixtureRequest) -> Iterator[PrivateGateway]:
    with private_gateway(request, with_llm=True) as served:
        yield served


def clienteling_records(gw: PrivateGateway, member: str, store: str) -> list[dict[str, Any]]:
    records = audit_records(gw, member)
    return [r for r in records if r["extra"].get("clienteling", {}).get("store_id") == store]


def system_prompt(upstream: UpstreamServer) -> str:
    sent = upstream.completion_requests
    assert sent, "the hosted LLM was not asked"
    content: str = sent[-1].body["messages"][0]["content"]
    return content


def test_with_everything_allowed_the_store_entered_and_purchases_reach_the_prompt(
    gw: PrivateGateway, upstream: UpstreamServer
) -> None:
    member = gw.members_of_tiers("Silver")[6]
    store = unique_store()
    enter_store(gw, member, store)
    answer = ask(gw, member, OPEN_QUESTION)
    assert f"entered store {store}" in system_prompt(upstream)
    record = audit_record(gw, answer["gateway"]["decision_id"])
    assert record["extra"]["context"]["consent"] == {
        "allowed": ["location", "personalization", "profiling"], "refused": {}}
    assert record["facts"]["recent_purchase_count"] > 0


def test_location_refused_the_store_entered_is_not_used_and_the_audit_says_why(
    gw: PrivateGateway, upstream: UpstreamServer
) -> None:
    member = gw.members_of_tiers("Silver")[7]
    set_consent(gw, member, location=False)
    store = unique_store()
    enter_store(gw, member, store)
    answer = ask(gw, member, OPEN_QUESTION)
    assert store not in system_prompt(upstream)
    record = audit_record(gw, answer["gateway"]["decision_id"])
    assert record["extra"]["context"]["consent"]["refused"] == {"location": "member opt-out"}
    assert record["facts"]["store_id"] != store


def test_personalization_refused_no_purchase_history_is_used(
    gw: PrivateGateway, upstream: UpstreamServer
) -> None:
    member = gw.members_of_tiers("Silver")[8]
    set_consent(gw, member, personalization=False)
    post_events(gw, {"type": "purchase", "member_id": member, "store_id": "367", "total": 9.5,
                     "items": [{"category": "SOFT DRINKS", "quantity": 1, "amount": 9.5}]})
    answer = ask(gw, member, OPEN_QUESTION)
    assert "soft drinks" not in system_prompt(upstream).lower()
    record = audit_record(gw, answer["gateway"]["decision_id"])
    assert record["extra"]["context"]["consent"]["refused"] == {"personalization": "member opt-out"}
    assert record["facts"]["recent_purchase_count"] == 0


def test_a_gpc_header_on_chat_refuses_profiling_for_that_decision_only(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Silver")[9]
    with_gpc = ask(gw, member, "how many points do I have?", headers=GPC)
    without = ask(gw, member, "how many points do I have?")
    refused = [audit_record(gw, a["gateway"]["decision_id"])["extra"]["context"]["consent"]["refused"]
               for a in (with_gpc, without)]
    assert refused == [{"profiling": "gpc"}, {}]


def test_profiling_refused_the_offer_ranking_uses_no_member_features(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Gold")[0]
    url = f"{gw.api}/members/{member}/offers"
    set_consent(gw, member, profiling=False)
    ranked = httpx.get(url, params={"store_id": gw.home_store(member)}, headers=APP, timeout=30).json()
    assert ranked["offers"], "the member has no eligible offer to rank"
    for offer in ranked["offers"]:
        assert offer["explanation"]["profiling"] == "refused (member opt-out)"
    record = audit_record(gw, ranked["decision_id"])
    assert record["extra"]["context"]["consent"]["refused"] == {"profiling": "member opt-out"}


def test_a_gpc_header_on_the_home_offers_refuses_profiling_for_that_ranking(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Gold")[1]
    url = f"{gw.api}/members/{member}/offers"
    params = {"store_id": gw.home_store(member)}
    ranked = httpx.get(url, params=params, headers={**APP, **GPC}, timeout=30).json()
    assert ranked["offers"], "the member has no eligible offer to rank"
    assert {o["explanation"]["profiling"] for o in ranked["offers"]} == {"refused (gpc)"}
    unsignalled = httpx.get(url, params=params, headers=APP, timeout=30).json()
    assert all("profiling" not in o["explanation"] for o in unsignalled["offers"])


@pytest.mark.parametrize("purpose", ["location", "personalization", "profiling"])
def test_any_refused_purpose_means_no_store_notification_and_an_audited_skip(
    gw: PrivateGateway, purpose: str
) -> None:
    member = gw.members_of_tiers("Gold", "Platinum")[MEMBER_FOR[purpose]]
    set_consent(gw, member, **{purpose: False})
    store = unique_store()
    with Tablet(gw, store) as tablet:
        enter_store(gw, member, store)
        assert tablet.notifications_within(2.0) == []
    skipped = clienteling_records(gw, member, store)
    assert len(skipped) == 1
    assert skipped[0]["extra"]["clienteling"]["skipped"] == "consent"
    assert skipped[0]["extra"]["consent"]["refused"] == {purpose: "member opt-out"}
    assert skipped[0]["final_text"] is None


def test_a_gpc_signal_sent_with_the_store_entry_means_no_notification(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Gold", "Platinum")[4]
    store = unique_store()
    with Tablet(gw, store) as tablet:
        enter_store(gw, member, store, headers=GPC)
        assert tablet.notifications_within(2.0) == []
    [skipped] = clienteling_records(gw, member, store)
    assert skipped["extra"]["consent"]["refused"] == {"profiling": "gpc"}


def test_consent_given_back_brings_the_notifications_back(gw: PrivateGateway) -> None:
    member = gw.members_of_tiers("Gold", "Platinum")[5]
    set_consent(gw, member, location=False)
    set_consent(gw, member, location=True)
    store = unique_store()
    with Tablet(gw, store) as tablet:
        enter_store(gw, member, store)
        [note] = tablet.notifications_within(10.0, until=1)
    assert note.data["member_ref"] == "…" + member[-2:]
