"""`export-dataset`: approved, governed turns as OpenAI fine-tuning JSONL, with personal data removed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gateway.audit import AnswerFeedback, AnswerFeedbackService, SqliteAuditLog, record_from_turn
from gateway.cli import app
from gateway.context.prompts import PromptRegistry
from gateway.context.snapshot import context_snapshot
from gateway.policy.loader import PolicySet
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel.finetune_export import SYSTEM_TEMPLATE, ExportReport, Scrubber, export_dataset
from gateway.turn import Channel, Draft, RequestMetadata, Route, RouteDecision, Turn, Verdict
from tests.audit.conftest import STARTED, build_turn

pytestmark = pytest.mark.anyio

LEAKY_ANSWER = (
    "Hi member M-42! You have 1,250 points and 200 of them expire on June 30, 2024. "
    "You spent $3,120.50 this year, $880.00 to go. We wrote to anna.smith@example.com, "
    "will call +1 (555) 123-4567, and your card 4111 1111 1111 1111 is on file at 12 Oak Street, Apt 4, "
    "Springfield, IL 62704."
)
SECRETS = ("M-42", "1,250", "3,120.50", "880.00", "June 30, 2024", "anna.smith", "555", "4111",
           "Oak Street", "62704")


def _turn(decision_id: str, minutes: int = 0, **changes: Any) -> Turn:
    fields: dict[str, Any] = {
        "decision_id": decision_id,
        "started_at": STARTED + timedelta(minutes=minutes),
        "query": "my email is anna.smith@example.com, how many points do I have?",
        "flags": [],
        "route": RouteDecision(Route.LLM, "open question", "open", 0.6),
        "draft": Draft(LEAKY_ANSWER, Route.LLM, "gpt-x", "p-1"),
        "verdict": Verdict("pass", LEAKY_ANSWER, (), (), "pol-1"),
        "extra": {},
    }
    fields.update(changes)
    turn = build_turn(**fields)
    assert turn.context is not None
    turn.extra["context"] = context_snapshot(turn.context)
    return turn


async def _fill(path: Path) -> None:
    audit = SqliteAuditLog(path)
    turns = [
        _turn("dec_good"),
        _turn("dec_kiosk", 1, channel=Channel.KIOSK),
        _turn("dec_repaired", 2, verdict=Verdict("repaired", "Fine.", (), (), "pol-1")),
        _turn("dec_attack", 3, flags=["input_rail:injection"]),
        _turn("dec_fallback", 4, draft=Draft("Sorry, not now.", Route.FALLBACK, "none", "p-2")),
        _turn("dec_down", 5),
        _turn("dec_old", -60 * 24),
        _turn("dec_erased", 6, member_id="M-77"),
        Turn(Channel.APP, "M-77", (), RequestMetadata(), requested_model="erasure",
             started_at=STARTED + timedelta(minutes=7), extra={"erasure": {"status": "requested"}}),
    ]
    try:
        for turn in turns:
            await audit.append(record_from_turn(turn, model_version="v1"))
        await AnswerFeedbackService(audit).submit(AnswerFeedback("dec_down", "down", None, None, "app"))
        await AnswerFeedbackService(audit).submit(AnswerFeedback("dec_good", "up", None, None, "app"))
    finally:
        await audit.close()


@pytest.fixture
def audit_file(tmp_path: Path) -> Path:
    """An audit log with one turn of each kind the export must tell apart."""
    path = tmp_path / "audit.db"
    asyncio.run(_fill(path))
    return path


@pytest.fixture
async def log(audit_file: Path) -> AsyncIterator[SqliteAuditLog]:
    audit = SqliteAuditLog(audit_file)
    yield audit
    await audit.close()


@pytest.fixture(scope="module")
def system_prompt() -> str:
    return PromptRegistry(PROJECT_ROOT / "prompts").render(SYSTEM_TEMPLATE, {}).text


async def _export(
    log: SqliteAuditLog, out: Path, policies: PolicySet, system_prompt: str, **options: Any
) -> ExportReport:
    return await export_dataset(log, out, system_prompt=system_prompt, scrubber=Scrubber(policies.governance),
                                since=STARTED - timedelta(minutes=1), **options)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_only_untouched_unflagged_unrated_down_answers_are_exported(
    log: SqliteAuditLog, tmp_path: Path, policies: PolicySet, system_prompt: str
) -> None:
    out = tmp_path / "out" / "train.jsonl"

    report = await _export(log, out, policies, system_prompt)

    assert report.exported == 2  # dec_good, dec_kiosk
    assert dict(report.skipped) == {
        "gate_changed_or_flagged_the_answer": 1, "input_rail_flagged": 1, "fallback_answer": 1,
        "thumbs_down": 1, "member_erased": 1,
    }  # and dec_old is before --since
    assert len(_lines(out)) == 2
    assert not list(out.parent.glob(".*partial"))


async def test_each_line_is_a_chat_in_openai_fine_tuning_format_with_the_generic_prompt(
    log: SqliteAuditLog, tmp_path: Path, policies: PolicySet, system_prompt: str
) -> None:
    out = tmp_path / "train.jsonl"

    await _export(log, out, policies, system_prompt, channels=["app"])

    (line,) = _lines(out)
    assert set(line) == {"messages"}
    assert [m["role"] for m in line["messages"]] == ["system", "user", "assistant"]
    assert all(set(m) == {"role", "content"} and m["content"] for m in line["messages"])
    system = line["messages"][0]["content"]
    assert system == system_prompt and "Complete Rewards" in system
    assert "points balance:" not in system and "Member facts" not in system  # not the member's prompt


async def test_personal_data_is_replaced_by_placeholders(
    log: SqliteAuditLog, tmp_path: Path, policies: PolicySet, system_prompt: str
) -> None:
    out = tmp_path / "train.jsonl"

    await _export(log, out, policies, system_prompt, channels=["app"])

    _, user, assistant = (m["content"] for m in _lines(out)[0]["messages"])
    for secret in SECRETS:
        assert secret not in user + assistant, secret
    placeholders = ("<MEMBER_ID>", "<POINTS>", "<POINTS_EXPIRING>", "<EXPIRY_DATE>", "<AMOUNT>", "<EMAIL>",
                    "<PHONE>", "<CARD_NUMBER>", "<ADDRESS>", "<POSTCODE>")
    for placeholder in placeholders:
        assert placeholder in assistant, (placeholder, assistant)
    assert user == "my email is <EMAIL>, how many points do I have?"


def test_a_small_number_or_a_date_that_is_not_the_members_stays(policies: PolicySet) -> None:
    record = record_from_turn(_turn("dec_x"), model_version="v1")

    text = Scrubber(policies.governance).scrub("Open 7am to 10pm; 12 eggs; 1,2500 and 250 points.", record)

    assert text == "Open 7am to 10pm; 12 eggs; 1,2500 and 250 points."


def test_the_command_prints_the_counts(audit_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.jsonl"
    since = (STARTED - timedelta(minutes=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    result = CliRunner().invoke(app, ["export-dataset", "--since", since, "--out", str(out),
                                      "--url", f"sqlite:///{audit_file}", "--channel", "app"])

    assert result.exit_code == 0, result.output
    assert "exported 1 turns" in result.output
    assert "skipped other_channel: 1" in result.output and "skipped thumbs_down: 1" in result.output
    assert len(_lines(out)) == 1


def test_the_command_refuses_an_unknown_channel(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export-dataset", "--since", "2026-01-01", "--out", str(tmp_path / "x"),
                                      "--channel", "compliance"])

    assert result.exit_code == 2 and "compliance" in result.output
    assert not (tmp_path / "x").exists()


