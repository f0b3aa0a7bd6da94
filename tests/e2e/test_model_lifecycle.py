"""The model lifecycle on a served gateway: answer feedback reaches training, a candidate runs in
shadow, and the serving version is switched by an admin call without a restart."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from click.testing import CliRunner

from gateway.app import create_app
from gateway.audit import open_audit_log
from gateway.cli import app as cli
from gateway.composition import LoadedModels
from gateway.smallmodel import INTENTS, Embedder, load_intent_model
from gateway.smallmodel.dataset import Example
from gateway.smallmodel.feedback_data import FeedbackExamples, feedback_examples
from tests.e2e.conftest import DemoMember, RunningGateway, gateway_settings
from tests.support import UpstreamServer
from tests.support.model_versions import OTHER_SPACE, add_sibling_version
from tests.support.serving import ServedApp

APP = {"Authorization": "Bearer dev-app-key"}
ASSOCIATE = {"Authorization": "Bearer dev-associate-key"}
ADMIN = {"Authorization": "Bearer dev-compliance-key"}
TWIN = "v20300101T000000Z-00000001"  # the trained weights under another version name
CAUTIOUS = "v20300101T000000Z-00000002"  # the same weights, deferring anything under 0.999
ALIEN = "v20300101T000000Z-00000003"  # trained on an embedding space this gateway does not serve
QUESTION = "how many points do I have"


@pytest.fixture(scope="module")
def gw(
    tmp_path_factory: pytest.TempPathFactory, seeded_db: Path, trained_models_dir: Path,
    clean_test_redis: str, embedder: Embedder, upstream: UpstreamServer, loaded_models: LoadedModels,
) -> Iterator[RunningGateway]:
    """A gateway of its own: its versions are switched here, which no other test should see."""
    base = tmp_path_factory.mktemp("lifecycle")
    models = base / "models"
    shutil.copytree(trained_models_dir, models)
    add_sibling_version(models, TWIN)
    add_sibling_version(models, CAUTIOUS, threshold=0.999)
    add_sibling_version(models, ALIEN, embedder_model_id=OTHER_SPACE)
    settings = gateway_settings(
        base, seeded_db, models, clean_test_redis,
        llm_model="test-model", llm_api_base=upstream.base_url, llm_api_key="sk-test-secret",
    )
    loaded = replace(loaded_models, intent=load_intent_model(models, "latest", embedder=embedder))
    with ServedApp(create_app(settings, models=loaded)) as served:
        yield RunningGateway(served.url, settings)


def ask(gw: RunningGateway, member: str, text: str = QUESTION) -> dict[str, Any]:
    body = {"model": "loyalty", "user": member, "messages": [{"role": "user", "content": text}]}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers=APP, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def audited(gw: RunningGateway, decision_id: str) -> dict[str, Any]:
    with sqlite3.connect(gw.settings.audit_db_url.removeprefix("sqlite:///")) as db:
        row = db.execute("SELECT payload FROM audit_log WHERE decision_id = ?", (decision_id,)).fetchone()
    assert row is not None, decision_id
    payload: dict[str, Any] = json.loads(row[0])
    return payload


def rate(gw: RunningGateway, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{gw.api}/feedback", json=body, headers=headers, timeout=30)


def change_model(gw: RunningGateway, body: dict[str, Any], headers: dict[str, str] = ADMIN) -> httpx.Response:
    return httpx.post(f"{gw.api}/admin/models/intent", json=body, headers=headers, timeout=30)


def read_feedback(gw: RunningGateway) -> FeedbackExamples:
    async def read() -> FeedbackExamples:
        log = open_audit_log(gw.settings.audit_db_url)
        try:
            return await feedback_examples(log)
        finally:
            await log.close()

    return anyio.run(read)


def test_an_associate_correction_goes_into_the_audit_chain_and_training_data(
    gw: RunningGateway, members: list[DemoMember]
) -> None:
    decision_id = ask(gw, members[0].member_id, "is my status gold yet")["gateway"]["decision_id"]
    correction = {"decision_id": decision_id, "rating": "down", "correction": {"intent": "tier_status"}}

    refused = rate(gw, correction, APP)
    accepted = rate(gw, correction | {"comment": "member asked about their tier"}, ASSOCIATE)

    assert refused.status_code == 403 and "associate channel's key" in refused.json()["error"]["message"]
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["feedback_id"].startswith("fbk_")
    stored = audited(gw, accepted.json()["feedback_id"])["extra"]["answer_feedback"]
    assert stored["correction"] == "tier_status"
    assert Example("is my status gold yet", "tier_status", "app") in read_feedback(gw).examples
    verified = CliRunner().invoke(cli, ["audit", "verify", "--url", gw.settings.audit_db_url])
    assert verified.exit_code == 0 and "audit log intact" in verified.output


def test_a_members_thumbs_up_is_recorded(gw: RunningGateway, members: list[DemoMember]) -> None:
    decision_id = ask(gw, members[1].member_id)["gateway"]["decision_id"]

    response = rate(gw, {"decision_id": decision_id, "rating": "up"}, APP)

    assert response.status_code == 200, response.text
    assert response.json() | {"feedback_id": None, "audit_seq": None} == {
        "feedback_id": None, "decision_id": decision_id, "rating": "up", "correction": None,
        "recorded": True, "audit_seq": None,
    }


def test_bad_answer_feedback_is_refused_with_what_to_fix(
    gw: RunningGateway, members: list[DemoMember]
) -> None:
    decision_id = ask(gw, members[0].member_id)["gateway"]["decision_id"]

    unknown = rate(gw, {"decision_id": "dec_nope", "rating": "up"}, APP)
    bad_intent = rate(gw, {"decision_id": decision_id, "rating": "down", "correction": {"intent": "pts"}},
                      ASSOCIATE)
    bad_rating = rate(gw, {"decision_id": decision_id, "rating": "meh"}, APP)

    assert unknown.status_code == 404 and "dec_nope" in unknown.json()["error"]["message"]
    assert bad_intent.status_code == 422
    assert bad_intent.json()["error"]["param"] == "correction.intent"
    assert all(intent in bad_intent.json()["error"]["message"] for intent in INTENTS)
    assert bad_rating.status_code == 422 and bad_rating.json()["error"]["param"] == "rating"


def test_a_shadow_candidate_is_audited_and_counted_but_never_answers(
    gw: RunningGateway, members: list[DemoMember]
) -> None:
    serving = httpx.get(f"{gw.api}/admin/models", headers=ADMIN, timeout=30).json()["intent"]["serving"]
    assert change_model(gw, {"shadow": CAUTIOUS}).json()["intent"]["shadow"] == CAUTIOUS
    try:
        answer = ask(gw, members[2].member_id, "points?")
    finally:
        assert change_model(gw, {"shadow": None}).json()["intent"]["shadow"] is None
    after = ask(gw, members[2].member_id, "points?")

    assert answer["gateway"]["route"] in ("small_model", "cache")  # the serving model answered
    shadow = audited(gw, answer["gateway"]["decision_id"])["extra"]["shadow"]
    assert shadow["candidate"] == CAUTIOUS and shadow["serving"] == serving
    assert shadow["intent"] == "open" and shadow["agrees"] is False  # it would have deferred
    assert "shadow" not in audited(gw, after["gateway"]["decision_id"])["extra"]
    metrics = httpx.get(f"{gw.url}/metrics", timeout=30).text
    assert f'gateway_shadow_predictions_total{{agrees="false",candidate="{CAUTIOUS}"}} 1.0' in metrics


def test_switching_the_serving_version_takes_effect_on_the_next_request(
    gw: RunningGateway, members: list[DemoMember]
) -> None:
    original = httpx.get(f"{gw.api}/admin/models", headers=ADMIN, timeout=30).json()["intent"]["serving"]

    switched = change_model(gw, {"serve": TWIN})
    try:
        answer = ask(gw, members[3].member_id)
        status = httpx.get(f"{gw.api}/admin/models", headers=ADMIN, timeout=30).json()["intent"]
    finally:
        change_model(gw, {"serve": original})

    assert switched.status_code == 200 and switched.json()["intent"]["serving"] == TWIN
    assert status["serving"] == TWIN and status["latest"] == original
    assert {v["version"] for v in status["available"]} >= {original, TWIN, CAUTIOUS, ALIEN}
    assert audited(gw, answer["gateway"]["decision_id"])["model_version"].split("+")[0] == TWIN
    assert answer["gateway"]["model"] == f"intent:{TWIN}"


def test_model_changes_that_cannot_work_are_refused_and_serving_stays(gw: RunningGateway) -> None:
    before = httpx.get(f"{gw.api}/admin/models", headers=ADMIN, timeout=30).json()["intent"]

    unknown = change_model(gw, {"serve": "v20990101T000000Z-deadbeef"})
    alien = change_model(gw, {"serve": ALIEN})
    both = change_model(gw, {"serve": TWIN, "shadow": TWIN})
    not_admin = change_model(gw, {"serve": TWIN}, APP)

    assert unknown.status_code == 404 and TWIN in unknown.json()["error"]["message"]
    assert alien.status_code == 409 and "embeddings" in alien.json()["error"]["message"]
    assert both.status_code == 422 and "exactly one" in both.json()["error"]["message"]
    assert not_admin.status_code == 403
    assert httpx.get(f"{gw.api}/admin/models", headers=ADMIN, timeout=30).json()["intent"] == before
