"""Taking answer feedback: check who may say what about which turn, then append it.

    service = AnswerFeedbackService(log)
    stored = await service.submit(AnswerFeedback(decision_id, "down", "points_balance", None, "associate"))

Rules (each refusal says what to change):
- only a recorded, answered chat turn can be rated (404 otherwise);
- a rating comes from the channel that served the turn, or from an associate
  reviewing it (403 otherwise);
- an intent correction is taken only from the associate channel's key (403):
  corrections become training labels, so they come from trained staff.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from gateway.audit._chain import StoredRecord
from gateway.audit._feedback import AnswerFeedback, feedback_record, is_answered_turn
from gateway.audit._log import AuditLog
from gateway.exceptions import NotFound, ScopeError

ASSOCIATE_CHANNEL = "associate"


class AnswerFeedbackService:
    def __init__(self, log: AuditLog, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._log = log
        self._clock = clock

    async def submit(self, feedback: AnswerFeedback) -> StoredRecord:
        """Append `feedback` to the audit chain; durable when this returns."""
        if feedback.correction is not None and feedback.channel != ASSOCIATE_CHANNEL:
            raise ScopeError(
                f"intent corrections are accepted only with the associate channel's key; "
                f"the {feedback.channel} channel may send a rating and a comment without 'correction'"
            )
        stored = await self._log.get(feedback.decision_id)
        turn = stored.record() if stored is not None else None
        if turn is None or not is_answered_turn(turn):
            raise NotFound(f"no answered chat turn with decision id {feedback.decision_id!r}")
        if feedback.channel not in (turn.channel, ASSOCIATE_CHANNEL):
            raise ScopeError(
                f"decision {feedback.decision_id} was answered on the {turn.channel} channel; "
                f"only that channel (or an associate) can rate it"
            )
        return await self._log.append(feedback_record(feedback, about=turn, at=self._clock()))
