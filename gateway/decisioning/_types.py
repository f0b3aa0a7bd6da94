"""Plain data that goes into and comes out of the scorer: no I/O, no model.

Two words that are easy to mix up are kept apart on purpose:

    acceptance   the estimated chance that the member takes the offer up (what
                 Pega's arbitration calls "propensity"); a model output
    probability  the chance with which the scorer put this offer first, exploration
                 included (what off-policy evaluation calls the logging propensity);
                 an exact number, logged with every decision

Consent (`gateway.consent`) shapes the context before anything reads it: without
profiling, the context keeps the moment only (channel, hour) and the scorer ranks by
policy value alone, learning nothing from it; without personalization, the purchase
history (recency, frequency, category affinity) is withheld. What was withheld, and
why, travels in `refused` to the explanation and the logged record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from gateway.consent import ConsentDecision, Purpose
from gateway.turn import MemberContext, Offer

Explanation = Mapping[str, float | str]


class Outcome(StrEnum):
    """What the member did with the offer that was put first."""

    REDEEMED = "redeemed"
    CLICKED = "clicked"
    DISMISSED = "dismissed"
    IGNORED = "ignored"  # shown, no reaction within the feedback window


@dataclass(frozen=True)
class ScoringContext:
    """What is known about the member and the moment, reduced to what the scorer reads.

    `category_affinity` maps a category name to the share (0..1) of the member's
    recent purchases in it; categories absent from the map count as 0.
    `decision_id` seeds the exploration draw, so one decision always draws the same.
    """

    decision_id: str
    member_id: str
    tier: str
    channel: str
    hour: int
    days_since_last_purchase: int | None
    purchases_last_90_days: int
    category_affinity: Mapping[str, float] = field(default_factory=dict)
    refused: Mapping[str, str] = field(default_factory=dict)  # purpose → reason, from the consent

    @property
    def profiled(self) -> bool:
        """May learned, member-specific scoring be used (and learned from)?"""
        return Purpose.PROFILING.value not in self.refused

    @property
    def personalised(self) -> bool:
        """May the member's purchase history be read?"""
        return Purpose.PERSONALIZATION.value not in self.refused

    @classmethod
    def from_member_context(cls, ctx: MemberContext, *, channel: str, decision_id: str) -> ScoringContext:
        """Derive recency, frequency and affinity from the purchases the turn's context holds,
        as far as the turn's consent allows.

        The context carries the member's most recent purchases only, so frequency and
        affinity describe that recent window rather than a full history.
        """
        refused = _refused(ctx.consent)
        if Purpose.PROFILING.value in refused:
            return cls(decision_id, "", "", channel, ctx.now.hour, None, 0, {}, refused)
        if Purpose.PERSONALIZATION.value in refused:
            return cls(decision_id, ctx.member.member_id, ctx.member.tier, channel, ctx.now.hour,
                       None, 0, {}, refused)  # fmt: skip
        today = ctx.now.date()
        purchases = ctx.recent_purchases
        last = max((p.day for p in purchases), default=None)
        counts: dict[str, int] = {}
        for p in purchases:
            counts[p.category] = counts.get(p.category, 0) + 1
        return cls(
            decision_id=decision_id,
            member_id=ctx.member.member_id,
            tier=ctx.member.tier,
            channel=channel,
            hour=ctx.now.hour,
            days_since_last_purchase=None if last is None else (today - last).days,
            purchases_last_90_days=sum(1 for p in purchases if (today - p.day).days <= 90),
            category_affinity={c: n / len(purchases) for c, n in counts.items()},
        )

    def affinity(self, category: str) -> float:
        return self.category_affinity.get(category, 0.0)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["category_affinity"] = dict(self.category_affinity)
        data["refused"] = dict(self.refused)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScoringContext:
        return cls(**{**data, "category_affinity": dict(data["category_affinity"]),
                      "refused": dict(data.get("refused", {}))})


def _refused(consent: ConsentDecision) -> dict[str, str]:
    """The purposes the scorer cares about that this turn's consent refuses, with the reason."""
    return {
        p.value: consent.refused_because.get(p, "not allowed")
        for p in (Purpose.PROFILING, Purpose.PERSONALIZATION)
        if not consent.allows(p)
    }


@dataclass(frozen=True)
class ScoredOffer:
    offer: Offer
    score: float  # the arbitrated expected value the ranking is ordered by
    probability: float  # chance this offer would have been put first
    explanation: Explanation


@dataclass(frozen=True)
class Ranking:
    """Candidate offers, the chosen one first, the rest by score."""

    decision_id: str
    offers: tuple[ScoredOffer, ...]
    explored: bool  # the first offer is not the one with the best score
    policy_version: str
    model_updates: int  # how many feedback events the model had learned from

    @property
    def chosen(self) -> ScoredOffer | None:
        return self.offers[0] if self.offers else None

    def explained(self) -> dict[str, Any]:
        """The ranking as the API returns it and the audit keeps it (`next_best_offer`)."""
        return {
            "decision_id": self.decision_id,
            "policy_version": self.policy_version,
            "explored": self.explored,
            "model_updates": self.model_updates,
            "offers": [
                {"offer_id": s.offer.offer_id, "terms": s.offer.render(), "score": s.score,
                 "probability": s.probability, "explanation": dict(s.explanation)}
                for s in self.offers
            ],
        }

    def record(self, context: ScoringContext) -> DecisionRecord:
        """What must be kept until feedback arrives, to learn from it and to evaluate off-policy."""
        chosen = self.chosen
        return DecisionRecord(
            context=context,
            offers=tuple(s.offer for s in self.offers),
            chosen_offer_id=None if chosen is None else chosen.offer.offer_id,
            probability=0.0 if chosen is None else chosen.probability,
            policy_version=self.policy_version,
        )


@dataclass(frozen=True)
class DecisionRecord:
    context: ScoringContext
    offers: tuple[Offer, ...]
    chosen_offer_id: str | None
    probability: float
    policy_version: str

    @property
    def decision_id(self) -> str:
        return self.context.decision_id

    def to_json(self) -> dict[str, Any]:
        return {
            "context": self.context.to_json(),
            "offers": [{**asdict(o), "valid_until": o.valid_until.isoformat()} for o in self.offers],
            "chosen_offer_id": self.chosen_offer_id,
            "probability": self.probability,
            "policy_version": self.policy_version,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DecisionRecord:
        offers = tuple(
            Offer(**{**o, "valid_until": date.fromisoformat(o["valid_until"])}) for o in data["offers"]
        )
        return cls(
            context=ScoringContext.from_json(data["context"]),
            offers=offers,
            chosen_offer_id=data["chosen_offer_id"],
            probability=float(data["probability"]),
            policy_version=str(data["policy_version"]),
        )


@dataclass(frozen=True)
class FeedbackEvent:
    """The member's reaction to one offer of a logged decision."""

    decision: DecisionRecord
    offer_id: str
    outcome: Outcome
