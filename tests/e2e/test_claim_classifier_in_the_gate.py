"""With a trained claim classifier, the served gate replaces paraphrased claims the rules miss."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.composition import load_models
from gateway.governance import train_claim_classifier
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import Embedder
from tests.e2e.conftest import DemoMember, RunningGateway, gateway_settings
from tests.support import UpstreamServer
from tests.support.serving import ServedApp

PARAPHRASE = "Your points now roll over with no cut-off."


@pytest.fixture(scope="module")
def classified_gateway(
    tmp_path_factory: pytest.TempPathFactory, seeded_db: Path, trained_models_dir: Path,
    clean_test_redis: str, embedder: Embedder, upstream: UpstreamServer,
) -> Iterator[RunningGateway]:
    models_dir = tmp_path_factory.mktemp("with-claims") / "models"
    shutil.copytree(trained_models_dir, models_dir)
    train_claim_classifier(PROJECT_ROOT / "evals" / "governance" / "data", models_dir, embedder)
    base = models_dir.parent
    settings = gateway_settings(base, seeded_db, models_dir, clean_test_redis, llm_model="m",
                                llm_api_base=upstream.base_url, llm_api_key="k")
    models = load_models(settings)
    assert models.claims is not None
    with ServedApp(create_app(settings, models=models)) as served:
        yield RunningGateway(served.url, settings)


def test_a_paraphrased_expiry_claim_is_replaced_and_the_audit_names_the_classifier(
    classified_gateway: RunningGateway, members: list[DemoMember], upstream: UpstreamServer
) -> None:
    upstream.configure(reply=PARAPHRASE)
    body = {"model": "loyalty", "user": members[0].member_id,
            "messages": [{"role": "user", "content": "Do you sell fresh bread in the mornings?"}]}
    response = httpx.post(f"{classified_gateway.api}/chat/completions", json=body,
                          headers={"Authorization": "Bearer dev-app-key"}, timeout=60)
    answer = response.json()
    assert answer["gateway"]["governance"]["action"] == "replaced"
    assert "roll over" not in answer["choices"][0]["message"]["content"]
    audit = Path(classified_gateway.settings.audit_db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(audit) as db:
        (payload,) = db.execute("SELECT payload FROM audit_log WHERE decision_id = ?",
                                (answer["gateway"]["decision_id"],)).fetchone()
    assert "+claims:" in json.loads(payload)["model_version"]
