"""Arbitration: from an estimated acceptance to the score offers are ranked by, and the choice.

    score = acceptance × value net of the discount × context weight × lever

in the spirit of Pega's next-best-action arbitration (propensity × value × context
weight × levers). The value of a redeemed offer is the gross margin left after the
discount, as a share of the list price: (gross margin % − discount %) / 100, with the
department's margin from `policies/margins.yaml`. A deeper discount may be taken up
more often but keeps less, and the score weighs exactly that trade.

Exploration is epsilon-greedy over the scores, not over the model's raw estimates:
the model cannot see margins or levers, so exploring on its estimates would keep
trying offers arbitration would never pick. Each offer's chance of being put first is
exact, `(1 − ε) [best] + ε / K`, and that number is what the decision logs.

The levers (`ArbitrationPolicy`) are data: the `arbitration:` section of
`policies/offers.yaml` (`gateway.policy.offers`), so they are versioned with the
policy set and a reload changes the next ranking.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from gateway.policy.offers import ArbitrationPolicy, LearnerSettings, MarginAwareness
from gateway.policy.program import MarginPolicy
from gateway.policy.yamlfile import load_model
from gateway.turn import Offer

__all__ = [
    "ArbitrationPolicy",
    "LearnerSettings",
    "MarginAwareness",
    "draw",
    "explanation",
    "greedy_index",
    "load_arbitration_policy",
    "margin_cost",
    "pick_probabilities",
    "value_net",
]


def load_arbitration_policy(path: Path) -> tuple[ArbitrationPolicy, str]:
    """The policy in a YAML file, and the file's text; a bad key or value is a `ConfigError` with its line."""
    return load_model(path, ArbitrationPolicy)


def margin_cost(offer: Offer) -> float:
    """The share of the list price given away when the offer is redeemed."""
    return offer.discount_pct / 100


def value_net(offer: Offer, margins: MarginPolicy, awareness: MarginAwareness | None = None) -> float:
    """The gross margin kept on a redeemed sale, as a share of the list price (never negative).

    `awareness.discount_cost_weight` says how much of the discount counts against it
    (1.0, the default: all of it)."""
    gross = margins.departments.get(offer.department, margins.default_gross_margin_pct)
    weight = 1.0 if awareness is None else awareness.discount_cost_weight
    return max(0.0, (gross - weight * offer.discount_pct) / 100)


def greedy_index(scores: Sequence[float], ids: Sequence[str]) -> int:
    """The best score; ties go to the smallest offer id, so the order of the input never matters."""
    return min(range(len(scores)), key=lambda i: (-scores[i], ids[i]))


def pick_probabilities(scores: Sequence[float], ids: Sequence[str], epsilon: float) -> list[float]:
    """Epsilon-greedy: each offer's exact chance of being put first."""
    k = len(scores)
    probabilities = [epsilon / k] * k
    probabilities[greedy_index(scores, ids)] += 1.0 - epsilon
    return probabilities


def draw(probabilities: Sequence[float], ids: Sequence[str], *, seed: int, decision_id: str) -> int:
    """The index drawn for this decision: a pure function of seed and decision id.

    The uniform number comes from a hash rather than a shared generator, so concurrent
    requests cannot disturb each other's draws, a restart does not change them, and an
    audited decision can be replayed. Offers are walked in id order for the same reason.
    """
    digest = hashlib.blake2b(f"{seed}:{decision_id}".encode(), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    cumulative = 0.0
    for i in order:
        cumulative += probabilities[i]
        if u < cumulative:
            return i
    return order[-1]  # rounding left u just above the last cumulative sum


def explanation(
    *, acceptance: float, value: float, cost: float, weight: float, probability: float, choice: str
) -> Mapping[str, float | str]:
    return {
        "acceptance": round(acceptance, 6),
        "value_net": round(value, 6),
        "margin_cost": round(cost, 6),
        "context_weight": round(weight, 6),
        "expected_value": round(acceptance * value * weight, 8),
        "probability": round(probability, 6),
        "choice": choice,
    }
