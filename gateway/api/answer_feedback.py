"""Feedback on an answer: thumbs up or down, and an associate's intent correction.

Sent to `POST /v1/feedback` next to offer outcomes; a body with `rating` is
answer feedback (see `feedback_body_kind`). Stored as a record of the audit
chain (`gateway.audit.AnswerFeedbackService`); `loyalty-gateway train` learns
from the corrections and `export-dataset` leaves thumbs-down turns out.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gateway.audit import AnswerFeedback
from gateway.exceptions import ConfigError
from gateway.services import Services
from gateway.smallmodel.labels import INTENTS

OfferBody = TypeVar("OfferBody", bound=BaseModel)

FEEDBACK_EXAMPLES: dict[str, Any] = {
    "offer": {"summary": "an offer's outcome",
              "value": {"decision_id": "dec_…", "offer_id": "OFR-123", "outcome": "redeemed"}},
    "rating": {"summary": "a member's thumbs on an answer",
               "value": {"decision_id": "dec_…", "rating": "down", "comment": "not what I asked"}},
    "correction": {"summary": "an associate's intent correction (associate key only)",
                   "value": {"decision_id": "dec_…", "rating": "down",
                             "correction": {"intent": "points_balance"}}},
}


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intent: str = Field(description="the intent the question really was")

    @field_validator("intent")
    @classmethod
    def _known(cls, intent: str) -> str:
        if intent not in INTENTS:
            raise ValueError(f"unknown intent {intent!r}; allowed intents: {', '.join(INTENTS)}")
        return intent


class AnswerFeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_id: str = Field(min_length=1, max_length=100)
    rating: Literal["up", "down"]
    correction: CorrectionIn | None = None
    comment: str | None = Field(default=None, max_length=1000)


def parse_feedback(raw: dict[str, Any], offer_model: type[OfferBody]) -> OfferBody | AnswerFeedbackIn:
    """A body with `rating` or `correction` is answer feedback, any other an offer outcome;
    each is validated as its own model, so a 422 names the field of the shape that was meant."""
    model: type[OfferBody] | type[AnswerFeedbackIn] = (
        AnswerFeedbackIn if {"rating", "correction"} & raw.keys() else offer_model
    )
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise RequestValidationError(e.errors(include_url=False), body=raw) from e


async def submit_answer_feedback(body: AnswerFeedbackIn, channel: str, services: Services) -> dict[str, Any]:
    if services.answer_feedback is None:
        raise ConfigError("answer feedback is not wired in this gateway (composition)")
    feedback = AnswerFeedback(
        decision_id=body.decision_id, rating=body.rating,
        correction=body.correction.intent if body.correction else None,
        comment=body.comment, channel=channel,
    )
    stored = await services.answer_feedback.submit(feedback)
    return {
        "feedback_id": stored.decision_id, "decision_id": feedback.decision_id,
        "rating": feedback.rating, "correction": feedback.correction, "recorded": True,
        "audit_seq": stored.seq,
    }
