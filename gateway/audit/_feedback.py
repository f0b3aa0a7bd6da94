"""Answer feedback (thumbs, associates' intent corrections) as records of the audit chain.

Feedback is not a table of its own: it is an `AuditRecord` appended to the same
hash chain as the turns, so `verify` covers it and an edit to a rating breaks
the chain like an edit to an answer would. It is recognised the way home-screen
offer decisions are (`requested_model="offers"`): its `requested_model` is
`"feedback"`, it carries no draft or verdict (policy replay skips it as it
skips every record without a draft), and the feedback itself is in
`extra["answer_feedback"]`. Its own decision id starts with `fbk_`; the turn it
is about is named inside.

Only this module knows that encoding: write with `feedback_record`, read with
`feedback_of`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from gateway.audit._record import AuditRecord, iso_utc

FEEDBACK_MODEL = "feedback"
_EXTRA_KEY = "answer_feedback"

Rating = Literal["up", "down"]


@dataclass(frozen=True)
class AnswerFeedback:
    """What a channel said about one answered turn."""

    decision_id: str  # the turn being rated
    rating: Rating
    correction: str | None  # the intent an associate says the question was
    comment: str | None
    channel: str  # the channel whose key gave the feedback

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id, "rating": self.rating, "correction": self.correction,
            "comment": self.comment, "channel": self.channel,
        }


def new_feedback_id() -> str:
    return f"fbk_{uuid.uuid4().hex}"


def feedback_record(feedback: AnswerFeedback, *, about: AuditRecord, at: datetime) -> AuditRecord:
    """The audit record of `feedback` on the turn recorded as `about`.

    The rated turn's member id is repeated (so a member's records can be found,
    and erased, together); its query and answer are not copied.
    """
    return AuditRecord(
        decision_id=new_feedback_id(),
        created_at=iso_utc(at),
        channel=feedback.channel,
        member_id=about.member_id,
        requested_model=FEEDBACK_MODEL,
        query="",
        flags=(),
        route=None,
        prompt_template=None,
        prompt_version=None,
        policy_version=None,
        model=None,
        model_version=about.model_version,
        draft_route=None,
        draft_note=None,
        draft_text=None,
        final_text=None,
        gate_action=None,
        violations=(),
        offers_rendered=(),
        facts=None,
        timings_ms={},
        extra={_EXTRA_KEY: feedback.to_dict()},
    )


def feedback_of(record: AuditRecord) -> AnswerFeedback | None:
    """The feedback a record holds, or None for any other kind of record."""
    if record.requested_model != FEEDBACK_MODEL or _EXTRA_KEY not in record.extra:
        return None
    data = record.extra[_EXTRA_KEY]
    return AnswerFeedback(
        decision_id=str(data["decision_id"]),
        rating="up" if data["rating"] == "up" else "down",
        correction=data.get("correction"),
        comment=data.get("comment"),
        channel=str(data["channel"]),
    )


def is_answered_turn(record: AuditRecord) -> bool:
    """A chat turn with a question and an answer (not an offers decision, not feedback)."""
    return record.final_text is not None and bool(record.query) and feedback_of(record) is None
