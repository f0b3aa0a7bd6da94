"""A running gateway picks up a good policy edit on the next request and refuses a bad one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.composition import LoadedModels
from gateway.settings import PROJECT_ROOT
from tests.e2e.conftest import DemoMember, RunningGateway, gateway_settings
from tests.support import UpstreamServer
from tests.support.serving import ServedApp

APP = {"Authorization": "Bearer dev-app-key"}
ADMIN = {"Authorization": "Bearer dev-compliance-key"}
REPLY = "Our bakery bakes fresh bread every morning."


@pytest.fixture
def policies_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    return folder


@pytest.fixture
def live_gateway(
    tmp_path: Path, policies_dir: Path, seeded_db: Path, trained_models_dir: Path,
    clean_test_redis: str, loaded_models: LoadedModels, upstream: UpstreamServer,
) -> Iterator[RunningGateway]:
    settings = gateway_settings(
        tmp_path, seeded_db, trained_models_dir, clean_test_redis,
        llm_model="test-model", llm_api_base=upstream.base_url, llm_api_key="k",
        policies_dir=policies_dir, policy_check_interval_s=0,
    )
    with ServedApp(create_app(settings, models=loaded_models)) as served:
        yield RunningGateway(served.url, settings)


def ask(gw: RunningGateway, member: str) -> dict[str, object]:
    body = {"model": "loyalty", "user": member,
            "messages": [{"role": "user", "content": "Do you sell fresh bread in the mornings?"}]}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers=APP, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def ban_bakery(policies_dir: Path) -> None:
    path = policies_dir / "governance.yaml"
    text = path.read_text()
    marker = "banned_phrases: ["
    assert marker in text, "governance.yaml layout changed: update this test"
    path.write_text(text.replace(marker, marker + "bakery, ", 1))


def test_a_good_edit_applies_to_the_next_request(
    live_gateway: RunningGateway, policies_dir: Path, members: list[DemoMember],
    upstream: UpstreamServer,
) -> None:
    upstream.configure(reply=REPLY)
    before = ask(live_gateway, members[0].member_id)
    assert before["gateway"]["governance"]["action"] == "pass"  # type: ignore[index]
    ban_bakery(policies_dir)
    after = ask(live_gateway, members[0].member_id)
    governance = after["gateway"]["governance"]  # type: ignore[index]
    assert governance["action"] != "pass"
    assert governance["policy_version"] != before["gateway"]["governance"]["policy_version"]  # type: ignore[index]


def test_a_bad_file_never_takes_effect_and_the_admin_sees_why(
    live_gateway: RunningGateway, policies_dir: Path, members: list[DemoMember],
    upstream: UpstreamServer,
) -> None:
    upstream.configure(reply=REPLY)
    version = ask(live_gateway, members[0].member_id)["gateway"]["governance"]["policy_version"]  # type: ignore[index]
    path = policies_dir / "governance.yaml"
    path.write_text(path.read_text() + "\nnot_a_rule: true\n")
    answer = ask(live_gateway, members[0].member_id)
    assert answer["gateway"]["governance"]["policy_version"] == version  # type: ignore[index]
    status = httpx.get(f"{live_gateway.api}/admin/policies", headers=ADMIN).json()
    assert status["version"] == version and "not_a_rule" in status["last_error"]
    reload = httpx.post(f"{live_gateway.api}/admin/policies/reload", headers=ADMIN)
    assert reload.status_code == 422
    assert "governance.yaml" in reload.json()["error"]["message"]
    assert httpx.post(f"{live_gateway.api}/admin/policies/reload", headers=APP).status_code == 403
