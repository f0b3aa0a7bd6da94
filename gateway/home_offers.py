"""The home screen's offers: context → eligible offers → ranked by the scorer → audited.

The same stages as a chat turn, without a model: the member's context and the
policy-checked candidates come from the policy version in force, the scorer
orders them with that version's levers (logging the probability it chose the
first with), and the decision is written to the audit log before it is returned.
The answer names what it was decided on (`context`: the store and the points as the
member's live profile has them), so a client can tell which events it already reflects.
"""

from __future__ import annotations

from typing import Any

from gateway.context.snapshot import context_snapshot
from gateway.decisioning.service import OfferService
from gateway.exceptions import StoreError
from gateway.pipeline import AuditWriter, PolicyBound
from gateway.policy.live import LivePolicies
from gateway.turn import Channel, MemberContext, RequestMetadata, Turn


class HomeOffers:
    def __init__(
        self, policies: LivePolicies[PolicyBound], offers: OfferService, write_audit: AuditWriter
    ) -> None:
        self._policies = policies
        self._offers = offers
        self._write_audit = write_audit

    async def for_member(
        self, member_id: str, channel: Channel, store_id: str | None, *, gpc: bool = False
    ) -> dict[str, Any]:
        self._policies.refresh()
        current = self._policies.current  # one policy version for the whole decision
        bound = current.built
        turn = Turn(channel, member_id, (), RequestMetadata(store_id=store_id, gpc=gpc),
                    requested_model="offers")
        context, rejected = await bound.stitcher.build(turn)
        ranking = await self._offers.rank(
            context, channel=channel.value, decision_id=turn.decision_id, policies=current.policies
        )
        turn.context = context
        explained = ranking.explained()
        turn.extra.update(
            context=context_snapshot(context),
            offers_rejected=[{"offer_id": o, "reason": r} for o, r in rejected],
            next_best_offer=explained,
        )
        await self._write_audit(turn)
        shown = [s.offer.offer_id for s in ranking.offers]
        try:
            await bound.offers.record_shown(member_id, shown, now=turn.started_at)
        except StoreError:
            turn.flags.append("frequency_cap_unrecorded")
        return {"member_id": member_id, **explained, "context": _decided_on(context),
                "rejected": turn.extra["offers_rejected"]}


def _decided_on(context: MemberContext) -> dict[str, Any]:
    return {
        "store_id": context.store.store_id if context.store is not None else None,
        "points": context.member.points,
        "as_of": context.now.isoformat(),
    }
