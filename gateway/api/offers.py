"""The app's home screen offers, and the feedback the scorer learns from."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from gateway.api.deps import ChatCaller, EventsCaller, ServicesDep
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
    store_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Eligible offers for this member now, best first, each with why it ranks where it does."""
    return await services.home_offers.for_member(member_id, caller.channel, store_id)


@router.post("/v1/feedback")
async def feedback(body: FeedbackIn, caller: EventsCaller, services: ServicesDep) -> dict[str, Any]:
    result = await services.offers.feedback(body.decision_id, body.offer_id, Outcome(body.outcome))
    return {
        "decision_id": result.decision_id,
        "offer_id": result.offer_id,
        "outcome": result.outcome.value,
        "learned": result.learned,
        "reason": None if result.learned else "not_the_chosen_offer",
        "model_updates": result.model_updates,
    }
