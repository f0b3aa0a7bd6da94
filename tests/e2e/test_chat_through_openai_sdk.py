"""The official openai SDK, pointed at the gateway, gets governed, personal answers."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.e2e.conftest import UPSTREAM_REPLY, DemoMember, RunningGateway
from tests.support import UpstreamServer

LOOKUP = "How many points do I have?"
OPEN = "Do you sell fresh bread in the mornings?"


def client(gw: RunningGateway, key: str = "dev-app-key") -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.api, api_key=key, max_retries=0, timeout=30)


def gateway_of(response: Any) -> dict[str, Any]:
    extra: dict[str, Any] = response.model_extra
    return dict(extra["gateway"])


def stream_text_and_gateway(stream: Any) -> tuple[str, dict[str, Any]]:
    parts: list[str] = []
    info: dict[str, Any] = {}
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta.content:
                parts.append(choice.delta.content)
        if chunk.model_extra and "gateway" in chunk.model_extra:
            info = chunk.model_extra["gateway"]
    return "".join(parts), info


def test_lookup_question_is_answered_by_the_small_model_with_the_members_points(
    gateway: RunningGateway, members: list[DemoMember], upstream: UpstreamServer
) -> None:
    member = members[0]
    response = client(gateway).chat.completions.create(
        model="loyalty", messages=[{"role": "user", "content": LOOKUP}], user=member.member_id
    )
    info = gateway_of(response)
    assert info["route"] in ("small_model", "cache")
    assert info["intent"] == "points_balance"
    assert f"{member.points:,}" in (response.choices[0].message.content or "")
    assert info["governance"]["action"] == "pass"
    assert upstream.completion_requests == ()  # the hosted LLM was never asked


def test_lookup_question_streams_the_same_governed_answer(
    gateway: RunningGateway, members: list[DemoMember]
) -> None:
    member = members[1]
    stream = client(gateway).chat.completions.create(
        model="loyalty", messages=[{"role": "user", "content": LOOKUP}],
        user=member.member_id, stream=True,
    )
    text, info = stream_text_and_gateway(stream)
    assert f"{member.points:,}" in text
    assert info["route"] in ("small_model", "cache")
    assert set(info["stage_ms"]) >= {"dataprep", "context", "routing", "generation", "governance", "audit"}


def test_open_question_goes_to_the_hosted_llm_with_the_members_context(
    gateway: RunningGateway, members: list[DemoMember], upstream: UpstreamServer
) -> None:
    member = members[0]
    response = client(gateway).chat.completions.create(
        model="loyalty", messages=[{"role": "user", "content": OPEN}], user=member.member_id
    )
    info = gateway_of(response)
    assert info["route"] == "llm"
    assert response.choices[0].message.content == UPSTREAM_REPLY
    sent = upstream.completion_requests[-1]
    system_prompt = sent.body["messages"][0]["content"]
    assert f"tier: {member.tier}" in system_prompt
    assert sent.headers["authorization"] == "Bearer sk-test-secret"


def test_open_question_streams_from_the_hosted_llm(
    gateway: RunningGateway, members: list[DemoMember]
) -> None:
    stream = client(gateway).chat.completions.create(
        model="loyalty", messages=[{"role": "user", "content": OPEN}],
        user=members[0].member_id, stream=True,
    )
    text, info = stream_text_and_gateway(stream)
    assert text == UPSTREAM_REPLY
    assert info["route"] == "llm"


@pytest.mark.parametrize("stream", [False, True])
def test_an_upstream_promising_ninety_percent_off_never_reaches_the_client(
    gateway: RunningGateway, members: list[DemoMember], upstream: UpstreamServer, stream: bool
) -> None:
    upstream.configure(reply="Good news: 90% off everything with code VIP90!")
    response = client(gateway).chat.completions.create(
        model="loyalty", messages=[{"role": "user", "content": OPEN}],
        user=members[0].member_id, stream=stream,
    )
    if stream:
        text, info = stream_text_and_gateway(response)
    else:
        text, info = response.choices[0].message.content or "", gateway_of(response)
    assert "90" not in text and "VIP90" not in text
    assert text.strip()
    assert info["governance"]["action"] in ("replaced", "repaired")
    assert info["governance"]["violations"]


def test_without_a_provider_open_questions_get_a_governed_fallback_that_says_so(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    response = client(gateway_without_llm).chat.completions.create(
        model="loyalty", messages=[{"role": "user", "content": OPEN}], user=members[0].member_id
    )
    info = gateway_of(response)
    assert info["route"] == "fallback"
    assert info["note"] == "no LLM provider configured"
    assert "points" in (response.choices[0].message.content or "")


def test_a_streamed_answer_joins_back_to_exactly_the_whole_answer(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    member = members[4]
    question = [{"role": "user", "content": "what did I buy recently?"}]
    whole = client(gateway_without_llm).chat.completions.create(
        model="loyalty", messages=question, user=member.member_id
    )
    stream = client(gateway_without_llm).chat.completions.create(
        model="loyalty", messages=question, user=member.member_id, stream=True
    )
    text, _ = stream_text_and_gateway(stream)
    assert "\n" in text  # a list answer keeps its line breaks
    assert text == whole.choices[0].message.content
