"""Off-policy estimators recover the value of a policy they never ran, on a log where it is known.

The synthetic log: 10 kinds of member, 5 offers, a known redemption probability per
(member kind, offer), a logging policy that prefers some offers over others, and a
target policy that mostly takes the best offer. The true value of the target is
Σ_x P(x) Σ_a π(a|x) q(x, a), computed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

from gateway.decisioning import ope

KINDS, ACTIONS, N = 10, 5, 20_000


@dataclass(frozen=True)
class Log:
    contexts: NDArray[np.int64]
    actions: NDArray[np.int64]
    mu: NDArray[np.float64]  # logging probability of the logged action
    rewards: NDArray[np.float64]
    q: NDArray[np.float64]  # true expected reward, KINDS × ACTIONS
    target: NDArray[np.float64]  # target policy, KINDS × ACTIONS

    @property
    def true_value(self) -> float:
        return float(((self.target * self.q).sum(axis=1)).mean())  # kinds are equally likely

    @property
    def pi(self) -> NDArray[np.float64]:
        return self.target[self.contexts, self.actions]


@pytest.fixture(scope="module")
def log() -> Log:
    rng = np.random.default_rng(2024)
    q = rng.uniform(0.02, 0.4, size=(KINDS, ACTIONS))
    logging = rng.dirichlet(np.full(ACTIONS, 2.0), size=KINDS)
    target = np.full((KINDS, ACTIONS), 0.1 / ACTIONS)
    target[np.arange(KINDS), q.argmax(axis=1)] += 0.9
    contexts = rng.integers(KINDS, size=N)
    actions = np.array([rng.choice(ACTIONS, p=logging[x]) for x in contexts])
    rewards = (rng.random(N) < q[contexts, actions]).astype(float)
    return Log(contexts, actions, logging[contexts, actions], rewards, q, target)


def dr_with(log: Log, model: NDArray[np.float64]) -> ope.Estimate:
    """DR with `model` (KINDS × ACTIONS) as its reward model."""
    predicted = model[log.contexts, log.actions]
    baseline = (log.target * model).sum(axis=1)[log.contexts]
    return ope.doubly_robust(log.rewards, log.mu, log.pi, predicted, baseline)


def within(estimate: ope.Estimate, truth: float) -> bool:
    return abs(estimate.value - truth) <= max(3 * estimate.stderr, 0.005)


def test_the_target_policy_is_worth_more_than_the_logging_policy(log: Log) -> None:
    assert log.true_value > log.rewards.mean() + 0.05  # so recovering it is not a trivial result


def test_ips_recovers_the_value_of_a_known_policy(log: Log) -> None:
    estimate = ips = ope.ips(log.rewards, log.mu, log.pi)
    assert within(estimate, log.true_value)
    assert abs(ips.value - log.true_value) < 0.02


def test_snips_recovers_the_value_of_a_known_policy(log: Log) -> None:
    estimate = ope.snips(log.rewards, log.mu, log.pi)
    assert within(estimate, log.true_value)
    assert abs(estimate.value - log.true_value) < 0.02


def test_doubly_robust_recovers_the_value_even_with_a_wrong_reward_model(log: Log) -> None:
    wrong = np.clip(log.q + 0.1, 0, 1)  # every estimate off by ten points
    estimate = dr_with(log, wrong)
    assert within(estimate, log.true_value)
    assert abs(estimate.value - log.true_value) < 0.02


def test_doubly_robust_with_the_right_reward_model_is_tighter_than_ips(log: Log) -> None:
    right = dr_with(log, log.q)
    assert within(right, log.true_value)
    assert right.stderr < ope.ips(log.rewards, log.mu, log.pi).stderr


def test_evaluate_over_logged_records_gives_the_same_estimates(log: Log) -> None:
    n = 2000
    columns = zip(log.contexts[:n], log.actions[:n], log.mu[:n], log.rewards[:n], strict=True)
    everything = tuple(range(ACTIONS))
    records = [ope.Logged(int(x), int(a), float(m), float(r), everything) for x, a, m, r in columns]
    estimates = ope.evaluate(
        records,
        target=lambda x, actions: {a: float(log.target[x, a]) for a in actions},
        model=lambda x, a: float(log.q[x, a]),
    )
    direct = ope.ips(log.rewards[:n], log.mu[:n], log.pi[:n])
    assert estimates["ips"].value == pytest.approx(direct.value)
    assert set(estimates) == {"ips", "snips", "dr"}


def test_propensities_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        ope.ips([1.0, 0.0], [0.5, 0.0], [1.0, 1.0])


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        ope.snips([1.0, 0.0], [0.5], [1.0, 1.0])
