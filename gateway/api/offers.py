"""The app's home screen offers, and the feedback the scorer learns from."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from gateway.api.answer_feedback import (
    FEEDBACK_EXAMPLES,
    AnswerFeedbackIn,
    parse_feedback,
    submit_answer_feedback,
)
from gateway.api.deps import ChatCaller, EventsCaller, ServicesDep
from gateway.api.schemas import GpcSignal
from gateway.decisioning import Outcome

router = APIRouter(tags=["offers"])


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_id: str = Field(min_length=1, max_length=100)
    offer_id: str = Field(min_length=1, max_length=100)
    outcome: Literal["redeemed", "clicked", "dismissed", "ignored"]


@router.get("/v1/members/{member_id}/offers")
async def member_offers(
    member_id: str,
    caller: ChatCaller,
    services: ServicesDep,
    gpc: GpcSignal,
    store_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Eligible offers for this member now, best first, each with why it ranks where it does.
    A `Sec-GPC: 1` header refuses profiling for this decision, as on chat."""
    return await services.home_offers.for_member(member_id, caller.channel, store_id, gpc=gpc)


@router.post("/v1/feedback")
async def feedback(
    raw: Annotated[dict[str, Any], Body(openapi_examples=FEEDBACK_EXAMPLES)],
    caller: EventsCaller,
    services: ServicesDep,
) -> dict[str, Any]:
    """An offer's outcome (`offer_id`, `outcome`) or an answer's rating (`rating`, `correction`)."""
    body = parse_feedback(raw, FeedbackIn)
    if isinstance(body, AnswerFeedbackIn):
        return await submit_answer_feedback(body, caller.channel.value, services)
    result = await services.offers.feedback(body.decision_id, body.offer_id, Outcome(body.outcome))
    return {
        "decision_id": result.decision_id,
        "offer_id": result.offer_id,
        "outcome": result.outcome.value,
        "learned": result.learned,
        "reason": None if result.learned else "not_the_chosen_offer",
        "model_updates": result.model_updates,
    }
