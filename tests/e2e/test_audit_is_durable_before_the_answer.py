"""No audit record, no answer: when the audit store is down the answer is withheld (503)."""

from __future__ import annotations

from pathlib import Path

import httpx

from gateway.app import create_app
from gateway.composition import LoadedModels
from tests.e2e.conftest import DemoMember, gateway_settings
from tests.support.serving import ServedApp


def test_an_unwritable_audit_log_withholds_the_answer_with_503(
    tmp_path: Path, seeded_db: Path, trained_models_dir: Path, clean_test_redis: str,
    loaded_models: LoadedModels, members: list[DemoMember],
) -> None:
    settings = gateway_settings(tmp_path, seeded_db, trained_models_dir, clean_test_redis)
    # Nothing listens on port 1: every append fails.
    settings = settings.model_copy(update={"audit_url": "postgresql://postgres@127.0.0.1:1/test"})
    body = {"model": "loyalty", "user": members[0].member_id,
            "messages": [{"role": "user", "content": "How many points do I have?"}]}
    with ServedApp(create_app(settings, models=loaded_models)) as served:
        response = httpx.post(f"{served.url}/v1/chat/completions", json=body,
                              headers={"Authorization": "Bearer dev-app-key"}, timeout=30)
        ready = httpx.get(f"{served.url}/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "audit_unavailable"
    assert f"{members[0].points:,}" not in response.text
    assert ready.status_code == 503
    assert ready.json()["checks"]["audit"].startswith("failing")

