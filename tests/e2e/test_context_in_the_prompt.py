"""Through a served gateway: the hosted model's prompt carries the program's terms, a
promotion, a complementary product and the weather, and none of the personal or
location facts once the member refused them; the audit names the facts and the consent."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from gateway.app import create_app
from gateway.audit import open_audit_log
from gateway.composition import LoadedModels
from gateway.context.complements import build_catalog_vectors
from gateway.events._keys import ProfileKeys
from tests.e2e.conftest import RunningGateway, gateway_settings
from tests.support import UpstreamServer
from tests.support.serving import ServedApp

APP = {"Authorization": "Bearer dev-app-key"}
# Two unrelated questions: an answer cached for the first must not serve the second.
QUESTION = "Can I combine two coupons in one shopping trip?"
RETURNS = "I brought back a jacket I bought last week, what happens with my rewards?"


@pytest.fixture(scope="module")
def context_gateway(
    tmp_path_factory: pytest.TempPathFactory, seeded_db: Path, trained_models_dir: Path,
    clean_test_redis: str, loaded_models: LoadedModels, upstream: UpstreamServer,
) -> Iterator[RunningGateway]:
    """A gateway of its own: consent changes are written into its copy of the member database."""
    base = tmp_path_factory.mktemp("gw-context")
    db = base / "loyalty.db"
    shutil.copy(seeded_db, db)
    build_catalog_vectors(db, base / "catalog", min_baskets=8, dimensions=32)
    settings = gateway_settings(
        base, db, trained_models_dir, clean_test_redis, llm_model="test-model",
        llm_api_base=upstream.base_url, llm_api_key="sk-test-secret",
        catalog_vectors_dir=base / "catalog", context_token_budget=2000,
    )
    with ServedApp(create_app(settings, models=loaded_models)) as served:
        yield RunningGateway(served.url, settings)


def members_with_promotions(gw: RunningGateway) -> list[str]:
    with sqlite3.connect(gw.settings.member_db_url.removeprefix("sqlite:///")) as db:
        rows = db.execute(
            "SELECT m.member_id FROM members AS m WHERE EXISTS"
            " (SELECT 1 FROM promotions AS p WHERE p.store_id = m.home_store_id)"
            " ORDER BY m.annual_spend DESC LIMIT 2"
        ).fetchall()
    return [str(r[0]) for r in rows]


def forget_live_profile(gw: RunningGateway, member: str) -> None:
    """Earlier tests may have sent this member into another store: start from the home store."""
    client = redis.Redis.from_url(gw.settings.redis_url)
    try:
        client.delete(*ProfileKeys.of(member).all())
    finally:
        client.close()


def ask(gw: RunningGateway, upstream: UpstreamServer, member: str, question: str) -> tuple[str, str]:
    """The system prompt the upstream received, and the decision id."""
    forget_live_profile(gw, member)
    upstream.clear()
    body = {"model": "loyalty", "user": member, "messages": [{"role": "user", "content": question}],
            "metadata": {"weather": "light rain", "location": "Chicago"}}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers=APP, timeout=60)
    assert response.status_code == 200, response.text
    assert upstream.completion_requests, f"not sent to the hosted model: {response.json()['gateway']}"
    system: str = upstream.completion_requests[-1].body["messages"][0]["content"]
    return system, response.json()["gateway"]["decision_id"]


async def audited_context(gw: RunningGateway, decision_id: str) -> dict[str, Any]:
    log = open_audit_log(gw.settings.audit_db_url)
    try:
        stored = await log.get(decision_id)
    finally:
        await log.close()
    assert stored is not None
    context: dict[str, Any] = json.loads(stored.payload)["extra"]["context"]
    return context


@pytest.mark.anyio
async def test_the_prompt_carries_knowledge_a_promotion_a_complement_and_the_weather(
    context_gateway: RunningGateway, upstream: UpstreamServer
) -> None:
    member = members_with_promotions(context_gateway)[0]
    system, decision_id = ask(context_gateway, upstream, member, QUESTION)
    assert "Combining offers:" in system  # the FAQ chunk the question is about
    assert "In store this week" in system and "go with this member's recent basket" in system
    assert "weather: light rain" in system and "recent purchases:" in system
    context = await audited_context(context_gateway, decision_id)
    used = context["context_facts"]["used"]
    assert "knowledge:offers#combining-offers" in used and "weather" in used
    assert any(i.startswith("promotion:") for i in used) and any(i.startswith("complement:") for i in used)
    assert {f["section"] for f in context["facts"]} == {"knowledge", "weather", "promotions", "complements"}
    assert context["consent"]["refused"] == {}


@pytest.mark.anyio
async def test_after_the_member_refuses_personalization_and_location_the_prompt_has_none_of_it(
    context_gateway: RunningGateway, upstream: UpstreamServer
) -> None:
    member = members_with_promotions(context_gateway)[1]
    refused = httpx.put(f"{context_gateway.api}/members/{member}/consent", headers=APP, timeout=30,
                        json={"personalization": False, "location": False})
    assert refused.status_code == 200, refused.text
    system, decision_id = ask(context_gateway, upstream, member, RETURNS)
    assert "light rain" not in system and "Chicago" not in system
    assert "recent purchases:" not in system and "go with this member's recent basket" not in system
    assert "Returns:" in system  # the program's terms are not personal
    context = await audited_context(context_gateway, decision_id)
    used = context["context_facts"]["used"]
    assert not [i for i in used if i.startswith(("purchase:", "complement:", "moment:")) or i == "weather"]
    assert set(context["consent"]["refused"]) == {"personalization", "location"}
    assert context["metadata"]["location"] is None and context["metadata"]["weather"] is None
