"""Off-policy evaluation: what a target policy would have earned, from another policy's logs.

Each logged record holds the context, the action taken, the probability the logging
policy took it with (its propensity), and the reward observed. For a target policy π
with π_i = π(a_i | x_i) and the logged propensity μ_i, w_i = π_i / μ_i:

    IPS    mean(w_i r_i)                                      unbiased; noisy when w is large
    SNIPS  Σ w_i r_i / Σ w_i                                  slightly biased; far less noisy
    DR     mean(Σ_a π(a|x_i) q(x_i, a) + w_i (r_i − q(x_i, a_i)))
           unbiased when either the propensities or the reward model q is right

Each returns the estimate with its standard error (the delta method for SNIPS). All
of them need the logging policy to have given a non-zero chance to every action the
target policy may take; that is why the scorer always explores a little.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

C = TypeVar("C")
A = TypeVar("A", bound=Hashable)


@dataclass(frozen=True)
class Estimate:
    value: float
    stderr: float
    n: int

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        return self.value - z * self.stderr, self.value + z * self.stderr


@dataclass(frozen=True)
class Logged(Generic[C, A]):
    context: C
    action: A
    propensity: float
    reward: float
    actions: tuple[A, ...]  # the candidates the logging policy chose among


def _arrays(*columns: ArrayLike) -> list[NDArray[np.float64]]:
    arrays = [np.asarray(c, dtype=np.float64) for c in columns]
    if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1 or arrays[0].size == 0:
        raise ValueError("every column must be a non-empty vector of the same length")
    if np.any(arrays[1] <= 0):
        raise ValueError("logged propensities must be positive")
    return arrays


def _mean(terms: NDArray[np.float64]) -> Estimate:
    n = terms.size
    stderr = float(terms.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    return Estimate(float(terms.mean()), stderr, n)


def ips(rewards: ArrayLike, logged: ArrayLike, target: ArrayLike) -> Estimate:
    r, mu, pi = _arrays(rewards, logged, target)
    return _mean(pi / mu * r)


def snips(rewards: ArrayLike, logged: ArrayLike, target: ArrayLike) -> Estimate:
    r, mu, pi = _arrays(rewards, logged, target)
    w = pi / mu
    if w.sum() <= 0:
        raise ValueError("the target policy gives no weight to any logged action")
    value = float((w * r).sum() / w.sum())
    influence = w * (r - value) / w.mean()
    return Estimate(value, _mean(influence).stderr, r.size)


def doubly_robust(
    rewards: ArrayLike,
    logged: ArrayLike,
    target: ArrayLike,
    predicted: ArrayLike,
    target_predicted: ArrayLike,
) -> Estimate:
    """`predicted[i]` = q(x_i, a_i); `target_predicted[i]` = Σ_a π(a|x_i) q(x_i, a)."""
    r, mu, pi, q, baseline = _arrays(rewards, logged, target, predicted, target_predicted)
    return _mean(baseline + pi / mu * (r - q))


def evaluate(
    records: Sequence[Logged[C, A]],
    target: Callable[[C, tuple[A, ...]], Mapping[A, float]],
    model: Callable[[C, A], float],
) -> dict[str, Estimate]:
    """IPS, SNIPS and DR of `target` (action → probability) over `records`, with reward model `model`."""
    rewards, logged, pi, q, baseline = [], [], [], [], []
    for rec in records:
        policy = target(rec.context, rec.actions)
        rewards.append(rec.reward)
        logged.append(rec.propensity)
        pi.append(policy.get(rec.action, 0.0))
        q.append(model(rec.context, rec.action))
        baseline.append(sum(p * model(rec.context, a) for a, p in policy.items()))
    return {
        "ips": ips(rewards, logged, pi),
        "snips": snips(rewards, logged, pi),
        "dr": doubly_robust(rewards, logged, pi, q, baseline),
    }
