"""`OfferScorer`: next-best-offer ranking that learns online from what members do.

    rank(context, offers)  → Ranking: the chosen offer first, every offer with its score,
                             the exact probability it had of being put first, and why
    learn(event)           → learns from the reaction to the offer that was put first
    snapshot() / restore() → the whole state as bytes; save(store) / load(store) through a
                             `ModelStore` (a file or Redis)

The model (Vowpal Wabbit, see `_vw.py`) estimates acceptance; arbitration (see
`arbitration.py`) turns it into a margin-aware score and explores around it. The
model learns the difference between the outcome's reward and a prior acceptance, so
before any feedback every offer is assumed to be taken up at the prior rate and the
ranking follows value and weights alone.

Arbitration's levers and the margins can be handed to `rank` and `learn` on each
call (the policy version in force); the scorer's own are the ones it was built with.
Without consent to profiling (`ScoringContext.profiled`) the model is not asked:
every offer gets the prior acceptance, so the ranking follows policy value net of
the discount alone, and the decision is never learned from.

Only the reaction to the first offer is learned from: that is the offer whose chance
of being shown first is known, and without that chance the update would be biased
toward whatever the scorer already prefers. `learn` says whether it used an event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gateway.decisioning import arbitration as arb
from gateway.decisioning._types import FeedbackEvent, Ranking, ScoredOffer, ScoringContext
from gateway.decisioning._vw import VWLearner
from gateway.decisioning.arbitration import ArbitrationPolicy
from gateway.decisioning.features import FEATURES_VERSION, example
from gateway.decisioning.persistence import ModelStore
from gateway.exceptions import ModelError
from gateway.policy.program import MarginPolicy
from gateway.turn import Offer

_MAGIC = b"LGNBO1\n"


@dataclass(frozen=True)
class _Estimate:
    acceptance: float
    value: float
    cost: float
    weight: float

    @property
    def score(self) -> float:
        return self.acceptance * self.value * self.weight


class OfferScorer:
    def __init__(
        self,
        *,
        policy: ArbitrationPolicy,
        margins: MarginPolicy,
        seed: int = 0,
        learner: VWLearner | None = None,
        updates: int = 0,
    ) -> None:
        self.policy = policy
        self.seed = seed
        self._margins = margins
        self._learner = learner or VWLearner.fresh(policy.learner, seed=seed)
        self._updates = updates

    @property
    def updates(self) -> int:
        return self._updates

    def rank(
        self,
        context: ScoringContext,
        offers: Sequence[Offer],
        *,
        policy: ArbitrationPolicy | None = None,
        margins: MarginPolicy | None = None,
    ) -> Ranking:
        policy = policy or self.policy
        candidates = list({o.offer_id: o for o in offers}.values())
        if not candidates:
            return Ranking(context.decision_id, (), False, policy.version, self._updates)
        ids = [o.offer_id for o in candidates]
        estimates = self._estimate(context, candidates, policy, margins or self._margins)
        scores = [e.score for e in estimates]
        probabilities = arb.pick_probabilities(scores, ids, policy.epsilon)
        chosen = arb.draw(probabilities, ids, seed=self.seed, decision_id=context.decision_id)
        explored = chosen != arb.greedy_index(scores, ids)
        rest = sorted((i for i in range(len(ids)) if i != chosen), key=lambda i: (-scores[i], ids[i]))
        refused = {purpose: f"refused ({why})" for purpose, why in context.refused.items()}
        ranked = tuple(
            self._scored(candidates[i], estimates[i], probabilities[i], _choice(i, chosen, explored), refused)
            for i in (chosen, *rest)
        )
        return Ranking(context.decision_id, ranked, explored, policy.version, self._updates)

    def learn(
        self, event: FeedbackEvent, *, policy: ArbitrationPolicy | None = None,
        margins: MarginPolicy | None = None,
    ) -> bool:
        """Learn from `event` when it is about the decision's chosen offer; True when used."""
        decision = event.decision
        ids = [o.offer_id for o in decision.offers]
        if event.offer_id != decision.chosen_offer_id or event.offer_id not in ids:
            return False
        if decision.probability <= 0 or not decision.context.profiled:
            return False
        policy = policy or self.policy
        cost = policy.acceptance_prior - policy.reward(event.outcome)
        label = (ids.index(event.offer_id), cost, decision.probability)
        self._learner.learn(example(decision.context, decision.offers, margins or self._margins, label))
        self._updates += 1
        return True

    def snapshot(self) -> bytes:
        header = {
            "features": FEATURES_VERSION,
            "seed": self.seed,
            "updates": self._updates,
            "learner": self.policy.learner.model_dump(),
        }
        head = json.dumps(header, sort_keys=True).encode()
        return _MAGIC + len(head).to_bytes(4, "big") + head + self._learner.to_bytes()

    @classmethod
    def restore(cls, data: bytes, *, policy: ArbitrationPolicy, margins: MarginPolicy) -> OfferScorer:
        """The scorer `snapshot()` was taken of.

        The model, its seed and its learning options come from the snapshot; arbitration
        (weights, levers, exploration, rewards) from `policy`, so a policy change takes
        effect on a restored model without retraining it.
        """
        if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 4:
            raise ModelError("not an offer-scorer snapshot", code="bandit_model_invalid")
        start = len(_MAGIC) + 4
        size = int.from_bytes(data[len(_MAGIC) : start], "big")
        try:
            header = json.loads(data[start : start + size])
        except ValueError as e:
            raise ModelError("unreadable offer-scorer snapshot header", code="bandit_model_invalid") from e
        if header.get("features") != FEATURES_VERSION:
            raise ModelError(
                f"snapshot built on features {header.get('features')!r}, "
                f"this code reads {FEATURES_VERSION!r}",
                code="bandit_model_stale",
            )
        learner = VWLearner.from_bytes(data[start + size :])
        return cls(
            policy=policy, margins=margins, seed=int(header["seed"]), learner=learner,
            updates=int(header["updates"]),
        )  # fmt: skip

    def save(self, store: ModelStore) -> None:
        store.write(self.snapshot())

    @classmethod
    def load(
        cls, store: ModelStore, *, policy: ArbitrationPolicy, margins: MarginPolicy, seed: int = 0
    ) -> OfferScorer:
        """The saved scorer, or a fresh one (with `seed`) when the store holds none yet."""
        data = store.read()
        if data is None:
            return cls(policy=policy, margins=margins, seed=seed)
        return cls.restore(data, policy=policy, margins=margins)

    def _estimate(
        self, context: ScoringContext, offers: Sequence[Offer], policy: ArbitrationPolicy,
        margins: MarginPolicy,
    ) -> list[_Estimate]:
        prior, floor = policy.acceptance_prior, policy.acceptance_floor
        if context.profiled:
            costs = self._learner.costs(example(context, offers, margins))
        else:
            costs = [0.0] * len(offers)  # no member-specific scoring: the prior for every offer
        return [
            _Estimate(
                acceptance=min(1.0, max(floor, prior - cost)),
                value=arb.value_net(offer, margins, policy.margin),
                cost=arb.margin_cost(offer),
                weight=policy.context_weight(context.channel, offer.category),
            )
            for offer, cost in zip(offers, costs, strict=True)
        ]

    @staticmethod
    def _scored(offer: Offer, e: _Estimate, p: float, choice: str, refused: Mapping[str, str]) -> ScoredOffer:
        why = arb.explanation(
            acceptance=e.acceptance, value=e.value, cost=e.cost, weight=e.weight,
            probability=p, choice=choice,
        )  # fmt: skip
        return ScoredOffer(offer, e.score, p, {**why, **refused})


def _choice(index: int, chosen: int, explored: bool) -> str:
    if index != chosen:
        return "not_chosen"
    return "explore" if explored else "exploit"
