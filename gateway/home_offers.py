"""The home screen's offers: context → eligible offers → ranked by the scorer → audited.

The same stages as a chat turn, without a model: the member's context and the
policy-checked candidates come from the policy version in force, the scorer
orders them (logging the probability it chose the first with), and the decision
is written to the audit log before it is returned.
"""

from __future__ import annotations

from typing import Any

from gateway.context.snapshot import context_snapshot
from gateway.decisioning import Ranking
from gateway.decisioning.service import OfferService
from gateway.exceptions import StoreError
from gateway.pipeline import AuditWriter, PolicyBound
from gateway.policy.live import LivePolicies
from gateway.turn import Channel, RequestMetadata, Turn


class HomeOffers:
    def __init__(
        self, policies: LivePolicies[PolicyBound], offers: OfferService, write_audit: AuditWriter
    ) -> None:
        self._policies = policies
        self._offers = offers
        self._write_audit = write_audit

    async def for_member(self, member_id: str, channel: Channel, store_id: str | None) -> dict[str, Any]:
        self._policies.refresh()
        bound = self._policies.current.built
        turn = Turn(channel, member_id, (), RequestMetadata(store_id=store_id), requested_model="offers")
        context, rejected = await bound.stitcher.build(turn)
        ranking = await self._offers.rank(context, channel=channel.value, decision_id=turn.decision_id)
        turn.context = context
        turn.extra.update(
            context=context_snapshot(context),
            offers_rejected=[{"offer_id": o, "reason": r} for o, r in rejected],
            next_best_offer=_explained(ranking),
        )
        await self._write_audit(turn)
        shown = [s.offer.offer_id for s in ranking.offers]
        try:
            await bound.offers.record_shown(member_id, shown, now=turn.started_at)
        except StoreError:
            turn.flags.append("frequency_cap_unrecorded")
        return {"decision_id": turn.decision_id, "member_id": member_id, **_explained(ranking),
                "rejected": turn.extra["offers_rejected"]}


def _explained(ranking: Ranking) -> dict[str, Any]:
    return {
        "policy_version": ranking.policy_version,
        "explored": ranking.explored,
        "model_updates": ranking.model_updates,
        "offers": [
            {"offer_id": s.offer.offer_id, "terms": s.offer.render(), "score": s.score,
             "probability": s.probability, "explanation": dict(s.explanation)}
            for s in ranking.offers
        ],
    }
