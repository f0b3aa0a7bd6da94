"""Held-out metrics and the choice of the confidence threshold.

Mistakes do not cost the same. A lookup question sent to `open` costs an LLM
call (the member still gets a good answer). An open question answered by a
lookup template, or a lookup answered with another lookup's template, puts a
wrong answer in front of the member. The threshold minimises a cost that says
so (`WRONG_ANSWER_COST` to 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from gateway.smallmodel.artifact import Matrix
from gateway.smallmodel.intent import decide
from gateway.smallmodel.labels import OPEN, is_lookup

WRONG_ANSWER_COST = 4.0
DEFER_COST = 1.0
THRESHOLD_GRID = tuple(round(0.01 * i, 2) for i in range(96))  # 0.00 … 0.95


@dataclass(frozen=True)
class IntentScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Scores of one set of predictions; `confusion` rows are true, columns predicted."""

    labels: tuple[str, ...]
    size: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, IntentScores]
    confusion: tuple[tuple[int, ...], ...]
    lookup_to_open_rate: float  # share of lookup questions sent to the LLM
    open_to_lookup_rate: float  # share of open questions answered by a template
    lookup_confused_rate: float  # share of lookup questions given another lookup's answer

    def summary(self) -> dict[str, float]:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "lookup_to_open_rate": self.lookup_to_open_rate,
            "open_to_lookup_rate": self.open_to_lookup_rate,
            "lookup_confused_rate": self.lookup_confused_rate,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(labels: Sequence[str], true: Sequence[str], predicted: Sequence[str]) -> Evaluation:
    index = {label: i for i, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(true, predicted, strict=True):
        confusion[index[t], index[p]] += 1
    per_intent = {label: _scores(confusion, i) for i, label in enumerate(labels)}
    lookups = [t for t in true if is_lookup(t)]
    pairs = list(zip(true, predicted, strict=True))
    return Evaluation(
        labels=tuple(labels),
        size=len(true),
        accuracy=_ratio(int(np.trace(confusion)), len(true)),
        macro_f1=float(np.mean([s.f1 for s in per_intent.values()])),
        per_intent=per_intent,
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
        lookup_to_open_rate=_ratio(sum(is_lookup(t) and p == OPEN for t, p in pairs), len(lookups)),
        open_to_lookup_rate=_ratio(sum(t == OPEN and p != OPEN for t, p in pairs), len(true) - len(lookups)),
        lookup_confused_rate=_ratio(
            sum(is_lookup(t) and is_lookup(p) and t != p for t, p in pairs), len(lookups)
        ),
    )


def routing_cost(true: Sequence[str], predicted: Sequence[str]) -> float:
    cost = 0.0
    for t, p in zip(true, predicted, strict=True):
        if t == p:
            continue
        cost += DEFER_COST if p == OPEN else WRONG_ANSWER_COST
    return cost


def choose_threshold(labels: Sequence[str], probabilities: Matrix, true: Sequence[str]) -> float:
    """The threshold with the lowest routing cost.

    Cost is a step function of the threshold, so the minimum is a flat stretch;
    taking the middle of the first such stretch (rather than its edge) leaves a
    margin for new data whose confidences shift a little.
    """
    costs = np.array([_cost_at(labels, probabilities, true, t) for t in THRESHOLD_GRID])
    best = np.flatnonzero(costs == costs.min())
    run_end = 0
    while run_end + 1 < len(best) and best[run_end + 1] == best[run_end] + 1:
        run_end += 1
    return THRESHOLD_GRID[int(best[run_end // 2])]


def sweep(
    labels: Sequence[str], probabilities: Matrix, true: Sequence[str], thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """How the routing error rates move with the threshold (for the report)."""
    rows = []
    for threshold in thresholds:
        predicted = [p.intent for p in decide(labels, probabilities, threshold)]
        rows.append({"threshold": threshold, **evaluate(labels, true, predicted).summary()})
    return rows


def _cost_at(labels: Sequence[str], probabilities: Matrix, true: Sequence[str], threshold: float) -> float:
    return routing_cost(true, [p.intent for p in decide(labels, probabilities, threshold)])


def _scores(confusion: np.ndarray[Any, Any], i: int) -> IntentScores:
    hits = int(confusion[i, i])
    precision = _ratio(hits, int(confusion[:, i].sum()))
    recall = _ratio(hits, int(confusion[i, :].sum()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return IntentScores(precision=precision, recall=recall, f1=f1, support=int(confusion[i, :].sum()))


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0
