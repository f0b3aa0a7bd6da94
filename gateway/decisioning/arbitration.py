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

The weights are a `StrictModel`, so they can move to a policy file unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import Field

from gateway.decisioning._types import Outcome, ScoringContext
from gateway.policy.program import MarginPolicy
from gateway.policy.yamlfile import StrictModel, content_version, load_model
from gateway.turn import Offer

Weight = float


class LearnerSettings(StrictModel):
    """How the online model learns (Vowpal Wabbit options, kept as data)."""

    learning_rate: float = Field(default=1.0, gt=0)
    # 0 keeps the step size constant, so the model keeps tracking preferences that
    # drift; VW's default (0.5) would slowly freeze it.
    power_t: float = Field(default=0.0, ge=0, le=1)
    bits: int = Field(default=18, ge=10, le=28)
    # Namespaces: U member and moment, A affinity for the offer's category, O the offer.
    interactions: tuple[str, ...] = ("UO", "AO")


class ArbitrationPolicy(StrictModel):
    outcome_rewards: dict[Outcome, float] = Field(
        default_factory=lambda: {
            Outcome.REDEEMED: 1.0,
            Outcome.CLICKED: 0.1,
            Outcome.DISMISSED: 0.0,
            Outcome.IGNORED: 0.0,
        }
    )
    # The acceptance assumed before anything is learned (and learned around).
    acceptance_prior: float = Field(default=0.05, ge=0, le=1)
    acceptance_floor: float = Field(default=0.001, gt=0, le=1)
    epsilon: float = Field(default=0.05, ge=0, le=1)
    channel_weights: dict[str, Weight] = Field(default_factory=dict)
    default_context_weight: Weight = Field(default=1.0, ge=0)
    # Business levers per category (Pega's "L"): 1.0 is neutral, 0 never ranks first.
    category_levers: dict[str, Weight] = Field(default_factory=dict)
    learner: LearnerSettings = Field(default_factory=LearnerSettings)

    @property
    def version(self) -> str:
        return content_version(self.model_dump_json())

    def reward(self, outcome: Outcome) -> float:
        return self.outcome_rewards.get(outcome, 0.0)

    def context_weight(self, context: ScoringContext, offer: Offer) -> float:
        channel = self.channel_weights.get(context.channel, self.default_context_weight)
        return channel * self.category_levers.get(offer.category, 1.0)


def load_arbitration_policy(path: Path) -> tuple[ArbitrationPolicy, str]:
    """The policy in a YAML file, and the file's text; a bad key or value is a `ConfigError` with its line."""
    return load_model(path, ArbitrationPolicy)


def margin_cost(offer: Offer) -> float:
    """The share of the list price given away when the offer is redeemed."""
    return offer.discount_pct / 100


def value_net(offer: Offer, margins: MarginPolicy) -> float:
    """The gross margin kept on a redeemed sale, as a share of the list price (never negative)."""
    gross = margins.departments.get(offer.department, margins.default_gross_margin_pct)
    return max(0.0, (gross - offer.discount_pct) / 100)


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
