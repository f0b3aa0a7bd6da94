"""Bad input gets a clear error with the right status; operations endpoints answer."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import DemoMember, RunningGateway

APP_KEY = {"Authorization": "Bearer dev-app-key"}


def post_chat(gw: RunningGateway, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    headers = APP_KEY if headers is None else headers
    return httpx.post(f"{gw.api}/chat/completions", json=body, headers=headers, timeout=30)


def chat_body(member: str, text: str = "what tier am I?") -> dict[str, object]:
    return {"model": "loyalty", "user": member, "messages": [{"role": "user", "content": text}]}


def test_a_request_without_a_key_is_401_in_openai_error_shape(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    response = post_chat(gateway_without_llm, chat_body(members[0].member_id), headers={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert "Authorization: Bearer" in response.json()["error"]["message"]


def test_a_compliance_key_cannot_chat(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    headers = {"Authorization": "Bearer dev-compliance-key"}
    response = post_chat(gateway_without_llm, chat_body(members[0].member_id), headers=headers)
    assert response.status_code == 403
    assert "'chat' scope" in response.json()["error"]["message"]


def test_a_missing_member_id_is_422_naming_the_field(gateway_without_llm: RunningGateway) -> None:
    body = {"model": "loyalty", "messages": [{"role": "user", "content": "hi"}]}
    response = post_chat(gateway_without_llm, body)
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "user"


def test_an_unknown_field_is_refused_by_name(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    body = {**chat_body(members[0].member_id), "temprature": 0.2}
    response = post_chat(gateway_without_llm, body)
    assert response.status_code == 422
    assert "temprature" in response.json()["error"]["message"]


def test_an_overlong_message_is_413_and_says_the_limit(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    response = post_chat(gateway_without_llm, chat_body(members[0].member_id, "x" * 4001))
    assert response.status_code == 413
    assert "limit is 4000" in response.json()["error"]["message"]


def test_an_unknown_member_is_404(gateway_without_llm: RunningGateway) -> None:
    response = post_chat(gateway_without_llm, chat_body("no-such-member"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_body_that_is_not_json_is_422(gateway_without_llm: RunningGateway) -> None:
    response = httpx.post(
        f"{gateway_without_llm.api}/chat/completions", content=b"{not json",
        headers={**APP_KEY, "Content-Type": "application/json"}, timeout=30,
    )
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_health_readiness_and_stage_metrics(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    post_chat(gateway_without_llm, chat_body(members[0].member_id))
    assert httpx.get(f"{gateway_without_llm.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{gateway_without_llm.url}/readyz")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"redis", "members", "audit", "events"}
    metrics = httpx.get(f"{gateway_without_llm.url}/metrics").text
    for stage in ("dataprep", "context", "routing", "generation", "governance", "audit"):
        assert f'gateway_stage_seconds_count{{stage="{stage}"}}' in metrics
    assert httpx.get(f"{gateway_without_llm.url}/openapi.json").json()["info"]["title"] == "Loyalty Gateway"


def test_the_exact_cache_serves_a_second_member_their_own_numbers(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    question = "how many points have I got right now"
    first, second = members[2], members[3]
    answers = []
    for member in (first, second):
        response = post_chat(gateway_without_llm, chat_body(member.member_id, question))
        answers.append(response.json())
    assert answers[1]["gateway"]["route"] == "cache"
    assert f"{first.points:,}" in answers[0]["choices"][0]["message"]["content"]
    assert f"{second.points:,}" in answers[1]["choices"][0]["message"]["content"]
    assert f"{first.points:,}" not in answers[1]["choices"][0]["message"]["content"]
