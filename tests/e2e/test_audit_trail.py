"""Every answer is recorded, hash-chained, before it leaves; compliance can verify the chain."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from gateway.audit import open_audit_log
from gateway.cli import app as cli
from tests.e2e.conftest import DemoMember, RunningGateway
from tests.support import UpstreamServer

APP_KEY = {"Authorization": "Bearer dev-app-key"}


def ask(gw: RunningGateway, member: str, text: str) -> dict[str, object]:
    body = {"model": "loyalty", "user": member, "messages": [{"role": "user", "content": text}]}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers=APP_KEY, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def audit_path(gw: RunningGateway) -> Path:
    return Path(gw.settings.audit_db_url.removeprefix("sqlite:///"))


@pytest.mark.anyio
async def test_the_audit_record_keeps_the_blocked_draft_and_its_violations(
    gateway: RunningGateway, members: list[DemoMember], upstream: UpstreamServer
) -> None:
    upstream.configure(reply="Good news: 90% off everything with code VIP90!")
    answer = ask(gateway, members[0].member_id, "Do you sell fresh bread in the mornings?")
    decision_id = answer["gateway"]["decision_id"]  # type: ignore[index]
    log = open_audit_log(gateway.settings.audit_db_url)
    try:
        stored = await log.get(decision_id)
    finally:
        await log.close()
    assert stored is not None
    record = json.loads(stored.payload)
    assert record["draft_text"] == "Good news: 90% off everything with code VIP90!"
    assert record["final_text"] == answer["choices"][0]["message"]["content"]  # type: ignore[index]
    assert record["gate_action"] in ("replaced", "repaired")
    assert record["violations"] and record["policy_version"]
    assert record["route"]["route"] == "llm"


def test_audit_verify_passes_on_an_intact_log_and_names_the_first_edited_record(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    for member in members[:3]:
        ask(gateway_without_llm, member.member_id, "what tier am I?")
    url = gateway_without_llm.settings.audit_db_url
    runner = CliRunner()
    intact = runner.invoke(cli, ["audit", "verify", "--url", url])
    assert intact.exit_code == 0, intact.output
    assert "intact" in intact.output

    with sqlite3.connect(audit_path(gateway_without_llm)) as db:
        (seq, payload), *_ = db.execute("SELECT seq, payload FROM audit_log ORDER BY seq LIMIT 2")
        db.execute("UPDATE audit_log SET payload = ? WHERE seq = ?",
                   (payload.replace("tier", "TIER", 1), seq))
    broken = runner.invoke(cli, ["audit", "verify", "--url", url])
    assert broken.exit_code == 1
    assert f"BROKEN at record {seq}" in broken.output
