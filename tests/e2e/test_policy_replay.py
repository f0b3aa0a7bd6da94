"""Dry run: a changed policy is replayed over recorded turns before it goes live."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from click.testing import CliRunner

from gateway.cli import app as cli
from gateway.settings import PROJECT_ROOT
from tests.e2e.conftest import DemoMember, RunningGateway
from tests.support import UpstreamServer

APP = {"Authorization": "Bearer dev-app-key"}


def ask(gw: RunningGateway, member: str) -> str:
    body = {"model": "loyalty", "user": member,
            "messages": [{"role": "user", "content": "Do you sell fresh bread in the mornings?"}]}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers=APP, timeout=30)
    assert response.status_code == 200, response.text
    decision: str = response.json()["gateway"]["decision_id"]
    return decision


def test_replay_reports_what_a_stricter_policy_would_have_blocked(
    gateway: RunningGateway, members: list[DemoMember], upstream: UpstreamServer, tmp_path: Path
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    upstream.configure(reply="Our bakery bakes fresh bread every morning.")
    passed = ask(gateway, members[0].member_id)
    upstream.configure(reply="Good news: 90% off everything with code VIP90!")
    blocked = ask(gateway, members[1].member_id)

    candidate = tmp_path / "candidate"
    shutil.copytree(PROJECT_ROOT / "policies", candidate)
    path = candidate / "governance.yaml"
    path.write_text(path.read_text().replace("banned_phrases: [", "banned_phrases: [bakery, ", 1))

    out = tmp_path / "replay.json"
    result = CliRunner().invoke(cli, [
        "policy", "replay", "--since", since.strftime("%Y-%m-%dT%H:%M:%S"),
        "--policies", str(candidate), "--url", gateway.settings.audit_db_url, "--json", str(out),
    ])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    changes = {t["decision_id"]: t["change"] for t in report["turns"]}
    assert changes.get(passed) == "newly_blocked"
    assert blocked not in changes  # still blocked, for the same reasons
    assert report["counts"]["newly_blocked"] >= 1
    assert "newly_blocked" in result.output
