"""The policies the simulation compares, behind one small interface.

    OnlinePolicy    the gateway's `OfferScorer`, learning after every round
    BatchPolicy     a logistic regression refitted every `retrain_days` on everything it logged,
                    scored with the same arbitration and the same epsilon-greedy exploration
    OraclePolicy    knows the true redemption probabilities: the best any policy can do
    DiscountFirst   today's order in `gateway.offers` (largest discount first): no learning
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from gateway.decisioning import ArbitrationPolicy, FeedbackEvent, OfferScorer, Outcome, Ranking
from gateway.decisioning.arbitration import draw, pick_probabilities
from gateway.decisioning.features import affinity_band, daypart, frequency_band, recency_band
from gateway.policy.program import MarginPolicy
from gateway.turn import Offer

from .world import Round, World


class Policy(Protocol):
    name: str

    def choose(self, rnd: Round) -> tuple[int, float]:
        """(position among the round's candidates, probability it was chosen with)."""
        ...

    def observe(self, rnd: Round, position: int, outcome: Outcome) -> None: ...


class OraclePolicy:
    name = "oracle"

    def __init__(self, world: World) -> None:
        self._values = world.values

    def choose(self, rnd: Round) -> tuple[int, float]:
        return int(np.argmax(rnd.acceptance * self._values[rnd.candidates])), 1.0

    def observe(self, rnd: Round, position: int, outcome: Outcome) -> None:
        return None


class DiscountFirst:
    name = "largest discount first"

    def __init__(self, world: World) -> None:
        self._offers = world.offers

    def choose(self, rnd: Round) -> tuple[int, float]:
        keys = [(-self._offers[i].discount_pct, self._offers[i].offer_id) for i in rnd.candidates]
        return min(range(len(keys)), key=keys.__getitem__), 1.0

    def observe(self, rnd: Round, position: int, outcome: Outcome) -> None:
        return None


class OnlinePolicy:
    """The scorer; with `learns=False` it is the same ranking frozen at its prior (value only)."""

    def __init__(self, world: World, scorer: OfferScorer, *, learns: bool = True) -> None:
        self._offers = world.offers
        self.scorer = scorer
        self.learns = learns
        self.name = "online bandit" if learns else "no learning (value only)"
        self._last: Ranking | None = None

    def choose(self, rnd: Round) -> tuple[int, float]:
        candidates = [self._offers[i] for i in rnd.candidates]
        self._last = ranking = self.scorer.rank(rnd.context, candidates)
        chosen = ranking.offers[0]
        return candidates.index(chosen.offer), chosen.probability

    def observe(self, rnd: Round, position: int, outcome: Outcome) -> None:
        if not self.learns:
            return
        assert self._last is not None
        offer = self._offers[rnd.candidates[position]]
        self.scorer.learn(FeedbackEvent(self._last.record(rnd.context), offer.offer_id, outcome))


def feature_names(rnd: Round, offer: Offer) -> dict[str, float]:
    """The batch model's view: the scorer's features and the same crosses."""
    ctx = rnd.context
    share = ctx.affinity(offer.category)
    member = (
        f"tier={ctx.tier}", f"ch={ctx.channel}", f"rec={recency_band(ctx.days_since_last_purchase)}",
        f"freq={frequency_band(ctx.purchases_last_90_days)}", f"dp={daypart(ctx.hour)}",
    )  # fmt: skip
    item = (f"cat={offer.category}", f"disc={offer.discount_pct}")
    names: dict[str, float] = {"bias": 1.0, "d": offer.discount_pct / 100, f"share|{item[0]}": share}
    names[f"aff={affinity_band(share)}|{item[0]}"] = 1.0
    for name in (*member, *item):
        names[name] = 1.0
    for u in member:
        for o in item:
            names[f"{u}|{o}"] = 1.0
    return names


@dataclass
class BatchPolicy:
    world: World
    policy: ArbitrationPolicy
    margins: MarginPolicy
    seed: int
    retrain_days: int = 7
    name: str = "weekly batch"
    window_days: int = 0  # 0: all logs (tried 14 and 28 days on the tuning seed: no better)
    _rows: list[tuple[int, dict[str, float]]] = field(default_factory=list)  # (day, features)
    _labels: list[int] = field(default_factory=list)
    _weights: dict[str, float] | None = None
    _trained_on_day: int = 0

    def acceptance(self, rnd: Round) -> NDArray[np.float64]:
        weights = self._weights
        if weights is None:
            return np.full(len(rnd.candidates), self.policy.acceptance_prior)
        offers = self.world.offers
        logits = [
            sum(weights.get(n, 0.0) * v for n, v in feature_names(rnd, offers[c]).items())
            for c in rnd.candidates
        ]
        return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(logits))), dtype=np.float64)

    def probabilities(self, rnd: Round) -> list[float]:
        scores = self.acceptance(rnd) * self.world.values[rnd.candidates]
        ids = [self.world.offers[i].offer_id for i in rnd.candidates]
        return pick_probabilities(list(scores), ids, self.policy.epsilon)

    def choose(self, rnd: Round) -> tuple[int, float]:
        if rnd.day - self._trained_on_day >= self.retrain_days:
            self._fit(rnd.day)
        probabilities = self.probabilities(rnd)
        ids = [self.world.offers[i].offer_id for i in rnd.candidates]
        position = draw(probabilities, ids, seed=self.seed + 1, decision_id=rnd.context.decision_id)
        return position, probabilities[position]

    def observe(self, rnd: Round, position: int, outcome: Outcome) -> None:
        self._rows.append((rnd.day, feature_names(rnd, self.world.offers[rnd.candidates[position]])))
        self._labels.append(int(outcome is Outcome.REDEEMED))

    def _fit(self, day: int) -> None:
        """Refit on the last `window_days` of logs (all of them when the window is 0)."""
        self._trained_on_day = day
        start = 0 if self.window_days == 0 else day - self.window_days
        keep = [i for i, (d, _) in enumerate(self._rows) if d >= start]
        labels = [self._labels[i] for i in keep]
        if len(set(labels)) < 2:
            return
        vocabulary: dict[str, int] = {}
        indptr, indices, data = [0], [], []
        for i in keep:
            for name, value in self._rows[i][1].items():
                indices.append(vocabulary.setdefault(name, len(vocabulary)))
                data.append(value)
            indptr.append(len(indices))
        x = sparse.csr_matrix((data, indices, indptr), shape=(len(keep), len(vocabulary)))
        model = LogisticRegression(C=0.5, max_iter=300, fit_intercept=False).fit(x, labels)
        self._weights = {name: float(model.coef_[0][j]) for name, j in vocabulary.items()}
