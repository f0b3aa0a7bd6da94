"""An event is reflected in the member's next answer: points from a purchase, the store entered."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.e2e.conftest import DemoMember, RunningGateway
from tests.support import UpstreamServer

APP = {"Authorization": "Bearer dev-app-key"}


def post_event(gw: RunningGateway, event: dict[str, Any]) -> None:
    event = {"event_id": uuid.uuid4().hex, "occurred_at": datetime.now(UTC).isoformat(), **event}
    response = httpx.post(f"{gw.api}/events", json={"events": [event]}, headers=APP, timeout=30)
    assert response.json()["accepted"] == 1, response.text


def ask(gw: RunningGateway, member: str, text: str) -> str:
    body = {"model": "loyalty", "user": member, "messages": [{"role": "user", "content": text}]}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers=APP, timeout=30)
    content: str = response.json()["choices"][0]["message"]["content"]
    return content


def eventually(check: Any, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_a_purchase_adds_its_points_to_the_next_answer(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    member = members[5]
    before = ask(gateway_without_llm, member.member_id, "how many points do I have?")
    assert f"{member.points:,}" in before
    post_event(gateway_without_llm, {
        "type": "purchase", "member_id": member.member_id, "store_id": "367", "total": 120.0,
        "items": [{"category": "SOFT DRINKS", "quantity": 1, "amount": 120.0}],
    })
    expected = f"{member.points + 120:,}"
    assert eventually(lambda: expected in ask(gateway_without_llm, member.member_id,
                                              "how many points do I have?"))


def test_entering_a_store_reaches_the_prompt_of_the_next_llm_turn(
    gateway: RunningGateway, members: list[DemoMember], upstream: UpstreamServer
) -> None:
    member = members[6]
    post_event(gateway, {"type": "store_entered", "member_id": member.member_id, "store_id": "412"})

    def prompt_mentions_the_store() -> bool:
        upstream.clear()
        ask(gateway, member.member_id, "Do you sell fresh bread in the mornings?")
        sent = upstream.completion_requests
        return bool(sent) and "entered store 412" in sent[-1].body["messages"][0]["content"]

    assert eventually(prompt_mentions_the_store)
