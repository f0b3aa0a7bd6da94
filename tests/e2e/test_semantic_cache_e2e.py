"""The semantic cache end to end: a paraphrase reuses an answer, never another member's numbers.

Each test runs its own gateway (its own in-memory semantic cache) against the
shared loopback upstream, and asks in words no other test uses, so no exact-cache
entry of another test can answer first.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.audit import open_audit_log
from gateway.composition import LoadedModels
from tests.e2e.conftest import UPSTREAM_REPLY, DemoMember, RunningGateway, gateway_settings
from tests.support import UpstreamServer
from tests.support.serving import ServedApp

APP = {"Authorization": "Bearer dev-app-key"}


@pytest.fixture
def gateway_with_cache(
    tmp_path: Path, seeded_db: Path, trained_models_dir: Path, clean_test_redis: str,
    loaded_models: LoadedModels, upstream: UpstreamServer,
) -> Iterator[RunningGateway]:
    settings = gateway_settings(
        tmp_path, seeded_db, trained_models_dir, clean_test_redis,
        llm_model="test-model", llm_api_base=upstream.base_url, llm_api_key="k",
    )
    with ServedApp(create_app(settings, models=loaded_models)) as served:
        yield RunningGateway(served.url, settings)


def ask(gw: RunningGateway, member: str, text: str, *, store_id: str | None = None) -> dict[str, Any]:
    messages = [{"role": "user", "content": text}]
    body: dict[str, Any] = {"model": "loyalty", "user": member, "messages": messages}
    if store_id is not None:
        body["metadata"] = {"store_id": store_id}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers=APP, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def text_of(answer: dict[str, Any]) -> str:
    content: str = answer["choices"][0]["message"]["content"]
    return content


async def audit_record(gw: RunningGateway, answer: dict[str, Any]) -> dict[str, Any]:
    log = open_audit_log(gw.settings.audit_db_url)
    try:
        stored = await log.get(answer["gateway"]["decision_id"])
    finally:
        await log.close()
    assert stored is not None
    record: dict[str, Any] = json.loads(stored.payload)
    return record


@pytest.mark.anyio
async def test_two_members_asking_the_same_personal_question_each_get_their_own_numbers(
    gateway_with_cache: RunningGateway, members: list[DemoMember]
) -> None:
    first, second = members[0], members[1]
    assert first.points != second.points
    a = ask(gateway_with_cache, first.member_id, "How many loyalty points do I have at the moment?")
    b = ask(gateway_with_cache, second.member_id, "so how many loyalty points do I have at the moment?")

    assert {a["gateway"]["route"], b["gateway"]["route"]} <= {"small_model", "cache"}
    assert f"{first.points:,}" in text_of(a) and f"{second.points:,}" not in text_of(a)
    assert f"{second.points:,}" in text_of(b) and f"{first.points:,}" not in text_of(b)


@pytest.mark.anyio
async def test_a_non_personal_answer_is_served_to_another_member_without_asking_the_upstream(
    gateway_with_cache: RunningGateway, members: list[DemoMember], upstream: UpstreamServer
) -> None:
    # Members who refused personalization and location, at a store with no promotions: no basket,
    # promotion or weather in the prompt, so the answer rests on nothing of theirs and may be shared.
    first, second = members[-1].member_id, members[-2].member_id
    for member in (first, second):
        set_consent(gateway_with_cache, member, allowed=False)
    try:
        await answers_are_shared(gateway_with_cache, first, second, upstream)
    finally:
        for member in (first, second):
            set_consent(gateway_with_cache, member, allowed=True)


def store_without_promotions(gw: RunningGateway) -> str:
    with sqlite3.connect(gw.settings.member_db_url.removeprefix("sqlite:///")) as db:
        row = db.execute(
            "SELECT s.store_id FROM stores AS s WHERE NOT EXISTS"
            " (SELECT 1 FROM promotions AS p WHERE p.store_id = s.store_id) ORDER BY s.store_id LIMIT 1"
        ).fetchone()
    assert row is not None, "the seeded data has no store without promotions"
    return str(row[0])


def set_consent(gw: RunningGateway, member: str, *, allowed: bool) -> None:
    response = httpx.put(f"{gw.api}/members/{member}/consent", headers=APP, timeout=30,
                         json={"personalization": allowed, "location": allowed})
    assert response.status_code == 200, response.text


async def answers_are_shared(
    gateway_with_cache: RunningGateway, first: str, second: str, upstream: UpstreamServer
) -> None:
    question = "How does curbside pickup work at your stores?"  # a question the router sends to the cache
    store = store_without_promotions(gateway_with_cache)
    a = ask(gateway_with_cache, first, question, store_id=store)
    assert a["gateway"]["route"] == "llm" and text_of(a) == UPSTREAM_REPLY
    calls = len(upstream.completion_requests)

    b = ask(gateway_with_cache, second, question.lower().replace("?", " please?"), store_id=store)
    assert b["gateway"]["route"] == "cache"
    assert text_of(b) == UPSTREAM_REPLY
    assert len(upstream.completion_requests) == calls
    record = await audit_record(gateway_with_cache, b)
    assert record["route"]["cache_entry_id"] and record["route"]["similarity"] >= record["route"]["threshold"]
    assert record["gate_action"] == "pass"


@pytest.mark.anyio
async def test_a_personal_llm_answer_is_not_served_to_another_member(
    gateway_with_cache: RunningGateway, members: list[DemoMember], upstream: UpstreamServer
) -> None:
    first, second = members[4], members[5]
    upstream.configure(reply=f"Member {first.member_id}, I hope your week of baking goes well.")
    question = "Can you give me a baking idea for a rainy weekend afternoon?"
    ask(gateway_with_cache, first.member_id, question)
    upstream.configure(reply="Try a simple banana loaf.")
    b = ask(gateway_with_cache, second.member_id, question)
    assert b["gateway"]["route"] == "llm"
    assert first.member_id not in text_of(b)
