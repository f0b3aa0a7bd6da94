"""Which rated turns in the audit log become training examples, and with which label."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from gateway.audit import AnswerFeedback, AnswerFeedbackService, SqliteAuditLog, record_from_turn
from gateway.smallmodel.dataset import Example
from gateway.smallmodel.feedback_data import feedback_examples
from gateway.turn import Channel, RequestMetadata, Route, RouteDecision, Turn, Verdict
from tests.audit.conftest import STARTED, build_turn

pytestmark = pytest.mark.anyio
Rating = Literal["up", "down"]


@pytest.fixture
async def log(tmp_path: Path) -> AsyncIterator[SqliteAuditLog]:
    audit = SqliteAuditLog(tmp_path / "audit.db")
    yield audit
    await audit.close()


async def _turn(
    log: SqliteAuditLog, decision_id: str, query: str, route: Route, intent: str, **kw: Any
) -> None:
    turn = build_turn(
        decision_id=decision_id, query=query, started_at=STARTED + timedelta(seconds=len(decision_id)),
        route=RouteDecision(route, "test", intent, 0.9),
        verdict=Verdict("pass", "An answer.", (), (), "pol-1"), **kw,
    )
    await log.append(record_from_turn(turn, model_version="v1"))


async def _rate(
    log: SqliteAuditLog, decision_id: str, rating: Rating, correction: str | None = None, channel: str = "app"
) -> None:
    channel = "associate" if correction else channel
    await AnswerFeedbackService(log).submit(AnswerFeedback(decision_id, rating, correction, None, channel))


async def test_each_rule_decides_one_rated_turn(log: SqliteAuditLog) -> None:
    await _turn(log, "dec_corrected", "what's my tier", Route.SMALL_MODEL, "points_balance")
    await _turn(log, "dec_down", "points pls", Route.SMALL_MODEL, "points_balance")
    await _turn(log, "dec_up", "when does the store close", Route.SMALL_MODEL, "store_hours")
    await _turn(log, "dec_up_llm", "tell me a joke", Route.LLM, "open")
    await _turn(log, "dec_unrated", "hello", Route.SMALL_MODEL, "points_balance")
    await _rate(log, "dec_corrected", "down", "points_expiry")
    await _rate(log, "dec_corrected", "down", "tier_status")  # the latest correction wins
    await _rate(log, "dec_down", "down")
    await _rate(log, "dec_up", "up")
    await _rate(log, "dec_up_llm", "up")

    found = await feedback_examples(log)

    assert found.rated_turns == 4
    assert set(found.examples) == {
        Example("what's my tier", "tier_status", "app"),
        Example("when does the store close", "store_hours", "app"),
    }
    assert found.used == {"corrected": 1, "confirmed_by_thumbs_up": 1}
    assert found.skipped == {"thumbs_down": 1, "up_not_a_small_model_answer": 1}


async def test_one_thumbs_down_outweighs_thumbs_up_on_the_same_turn(log: SqliteAuditLog) -> None:
    await _turn(log, "dec_mixed", "my points", Route.SMALL_MODEL, "points_balance", channel=Channel.KIOSK)
    await _rate(log, "dec_mixed", "up", channel="kiosk")
    await _rate(log, "dec_mixed", "down", channel="associate")

    found = await feedback_examples(log)

    assert found.examples == () and found.skipped == {"thumbs_down": 1}


async def test_a_correction_keeps_the_turns_channel(log: SqliteAuditLog) -> None:
    await _turn(log, "dec_kiosk", "hours today?", Route.LLM, "open", channel=Channel.KIOSK)
    await _rate(log, "dec_kiosk", "down", "store_hours")

    found = await feedback_examples(log)

    assert found.examples == (Example("hours today?", "store_hours", "kiosk"),)


async def test_an_erased_members_turns_are_not_training_data(log: SqliteAuditLog) -> None:
    await _turn(log, "dec_gone", "my tier please", Route.SMALL_MODEL, "points_balance", member_id="M-9")
    await _rate(log, "dec_gone", "down", "tier_status")
    erasure = Turn(Channel.APP, "M-9", (), RequestMetadata(), requested_model="erasure")
    await log.append(record_from_turn(erasure, model_version=None))

    found = await feedback_examples(log)

    assert found.examples == () and found.skipped == {"member_erased": 1}


async def test_a_log_without_feedback_gives_nothing(log: SqliteAuditLog) -> None:
    await _turn(log, "dec_a", "points", Route.SMALL_MODEL, "points_balance")

    found = await feedback_examples(log)

    assert (found.examples, found.rated_turns) == ((), 0)
