"""Answer feedback is a record of the same hash chain; both stores (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from gateway.audit import (
    FEEDBACK_MODEL,
    AnswerFeedback,
    AnswerFeedbackService,
    AuditLog,
    feedback_of,
    is_answered_turn,
    record_from_turn,
    scan,
)
from gateway.exceptions import NotFound, ScopeError
from gateway.turn import Channel, Turn

from .conftest import STARTED, Tamperer

pytestmark = pytest.mark.anyio
MakeTurn = Callable[..., Turn]
LATER = STARTED + timedelta(minutes=5)


def _service(log: AuditLog) -> AnswerFeedbackService:
    return AnswerFeedbackService(log, clock=lambda: LATER)


def _feedback(channel: str = "app", **changes: Any) -> AnswerFeedback:
    base = AnswerFeedback("dec_fixed", rating="down", correction=None, comment=None, channel=channel)
    return replace(base, **changes)


async def _answered(log: AuditLog, make_turn: MakeTurn, **fields: object) -> None:
    await log.append(record_from_turn(make_turn(**fields), model_version="v1"))


async def test_a_rating_is_appended_to_the_chain_and_read_back(log: AuditLog, make_turn: MakeTurn) -> None:
    await _answered(log, make_turn)

    stored = await _service(log).submit(_feedback(comment="wrong store"))

    assert stored.seq == 2 and stored.decision_id.startswith("fbk_")
    record = stored.record()
    assert record.requested_model == FEEDBACK_MODEL and record.member_id == "M-42"
    assert record.query == "" and record.draft_text is None  # the question is not copied
    assert feedback_of(record) == _feedback(comment="wrong store")
    assert not is_answered_turn(record)
    assert (await log.verify()).ok


async def test_an_associate_correction_is_kept_with_its_intent(log: AuditLog, make_turn: MakeTurn) -> None:
    await _answered(log, make_turn)

    stored = await _service(log).submit(_feedback("associate", correction="my_offers"))

    feedback = feedback_of(stored.record())
    assert feedback is not None and feedback.correction == "my_offers"


async def test_a_correction_from_another_channel_is_refused_and_nothing_written(
    log: AuditLog, make_turn: MakeTurn
) -> None:
    await _answered(log, make_turn)

    with pytest.raises(ScopeError, match="associate channel's key"):
        await _service(log).submit(_feedback("app", correction="my_offers"))

    assert (await log.verify()).checked == 1


async def test_an_unknown_decision_is_not_found(log: AuditLog) -> None:
    with pytest.raises(NotFound, match="dec_nope"):
        await _service(log).submit(_feedback(decision_id="dec_nope"))


async def test_feedback_cannot_rate_feedback_or_an_unanswered_record(
    log: AuditLog, make_turn: MakeTurn
) -> None:
    await _answered(log, make_turn)
    stored = await _service(log).submit(_feedback())
    await _answered(
        log, make_turn, decision_id="dec_offers", requested_model="offers", draft=None, verdict=None
    )

    for decision_id in (stored.decision_id, "dec_offers"):
        with pytest.raises(NotFound):
            await _service(log).submit(_feedback(decision_id=decision_id))


async def test_only_the_serving_channel_or_an_associate_rates_a_turn(
    log: AuditLog, make_turn: MakeTurn
) -> None:
    await _answered(log, make_turn, channel=Channel.KIOSK)

    with pytest.raises(ScopeError, match="kiosk"):
        await _service(log).submit(_feedback("app"))
    assert (await _service(log).submit(_feedback("associate", rating="up"))).seq == 2


async def test_editing_a_stored_rating_breaks_the_chain(
    log: AuditLog, make_turn: MakeTurn, tamper: Tamperer
) -> None:
    await _answered(log, make_turn)
    await _service(log).submit(_feedback(rating="down"))
    await _answered(log, make_turn, decision_id="dec_after")

    tamper.execute("UPDATE {table} SET payload = replace(payload, '\"down\"', '\"up\"') WHERE seq = %s", 2)
    report = await log.verify()

    assert (report.ok, report.first_broken_seq, report.checked) == (False, 2, 1)


async def test_scan_reads_every_row_oldest_first_in_pages(log: AuditLog, make_turn: MakeTurn) -> None:
    for i in range(5):
        await _answered(log, make_turn, decision_id=f"dec_{i}", started_at=STARTED + timedelta(minutes=i))

    everything = [row.seq async for row in scan(log, page_size=2)]
    since = [row.decision_id async for row in scan(log, since=STARTED + timedelta(minutes=3), page_size=2)]

    assert everything == [1, 2, 3, 4, 5]
    assert since == ["dec_3", "dec_4"]
