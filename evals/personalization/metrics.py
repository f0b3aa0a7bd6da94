"""Household-resampled bootstrap estimates and a weighted AUC.

Every statistic here is a ratio of sums over households (hits / baskets, spend /
baskets) or an AUC over rows that belong to households. The bootstrap resamples
households with replacement, never baskets or rows, so the intervals carry the
correlation between one household's baskets. A resample is a vector of
multiplicities, one per household, so every statistic of a resample is a
weighted sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its percentile bootstrap interval."""

    value: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


def resample_weights(n_units: int, n_boot: int, seed: int) -> FloatArray:
    """Multiplicities of ``n_boot`` resamples of ``n_units`` units drawn with replacement.

    Row ``b`` counts how often each unit was drawn in resample ``b``; each row sums
    to ``n_units``.
    """
    if n_units < 1 or n_boot < 1:
        raise ValueError("need at least one unit and one resample")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_units, size=(n_boot, n_units))
    weights = np.zeros((n_boot, n_units))
    rows = np.repeat(np.arange(n_boot), n_units)
    np.add.at(weights, (rows, draws.ravel()), 1.0)
    return weights


def _divide(num: FloatArray, den: FloatArray) -> FloatArray:
    """Elementwise num / den; a resample with an empty denominator gives NaN and is left out."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(num / den, dtype=np.float64)


def _interval(value: float, samples: FloatArray) -> Estimate:
    tail = (1.0 - CONFIDENCE) / 2 * 100
    low, high = np.nanpercentile(samples, [tail, 100 - tail])
    return Estimate(float(value), float(low), float(high))


def ratio(num: FloatArray, den: FloatArray, weights: FloatArray) -> Estimate:
    """sum(num) / sum(den) over units, e.g. hits per basket with one entry per household."""
    value = num.sum() / den.sum()
    return _interval(value, _divide(weights @ num, weights @ den))


def rate_difference(num_a: FloatArray, num_b: FloatArray, den: FloatArray, weights: FloatArray) -> Estimate:
    """Paired difference of two rates over the same units and denominator: rate(a) - rate(b)."""
    value = (num_a.sum() - num_b.sum()) / den.sum()
    return _interval(value, _divide(weights @ (num_a - num_b), weights @ den))


def rate_ratio(num_a: FloatArray, num_b: FloatArray, weights: FloatArray) -> Estimate:
    """Paired ratio of two rates over the same denominator: rate(a) / rate(b)."""
    value = num_a.sum() / num_b.sum()
    return _interval(value, _divide(weights @ num_a, weights @ num_b))


def weighted_auc(label: npt.NDArray[np.bool_], score: FloatArray, weight: FloatArray) -> float:
    """Area under the ROC curve with row weights; tied scores count one half."""
    _, bins = np.unique(score, return_inverse=True)
    return _auc_from_bins(label, bins, weight)


def _auc_from_bins(label: npt.NDArray[np.bool_], bins: IntArray, weight: FloatArray) -> float:
    size = int(bins.max()) + 1
    pos = np.bincount(bins, weights=weight * label, minlength=size)
    neg = np.bincount(bins, weights=weight * ~label, minlength=size)
    below = np.cumsum(neg) - neg
    denominator = pos.sum() * neg.sum()
    if denominator == 0:
        return float("nan")
    return float((pos * (below + 0.5 * neg)).sum() / denominator)


def auc_estimates(
    label: npt.NDArray[np.bool_],
    scores: dict[str, FloatArray],
    unit: IntArray,
    weights: FloatArray,
) -> tuple[dict[str, Estimate], dict[str, FloatArray]]:
    """AUC of each score with a unit-resampled interval, and the resampled AUCs themselves.

    ``unit`` gives each row's unit (household) index into the columns of ``weights``;
    the resampled AUCs are returned so that paired differences can use the same draws.
    """
    estimates: dict[str, Estimate] = {}
    draws: dict[str, FloatArray] = {}
    for name, score in scores.items():
        _, bins = np.unique(score, return_inverse=True)
        samples = np.array([_auc_from_bins(label, bins, row[unit]) for row in weights])
        value = _auc_from_bins(label, bins, np.ones(len(label)))
        estimates[name] = _interval(value, samples)
        draws[name] = samples
    return estimates, draws


def paired_difference(value: float, samples_a: FloatArray, samples_b: FloatArray) -> Estimate:
    """Interval for a - b from paired resamples (same draws for both)."""
    return _interval(value, samples_a - samples_b)


def mean_ratio(
    sum_a: FloatArray, count_a: FloatArray, sum_b: FloatArray, count_b: FloatArray, weights: FloatArray
) -> Estimate:
    """(mean of group a) / (mean of group b), each unit contributing sums and counts to both groups."""
    value = (sum_a.sum() / count_a.sum()) / (sum_b.sum() / count_b.sum())
    samples = _divide(
        _divide(weights @ sum_a, weights @ count_a), _divide(weights @ sum_b, weights @ count_b)
    )
    return _interval(value, samples)
