"""The personalisation evaluation's metrics, intervals and policy rules, on hand-made data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evals.personalization import metrics
from evals.personalization.data import band_order, demographic_bands
from evals.personalization.policies import member_offers, preference_states, tie_break


def test_resamples_draw_every_household_count_with_replacement_and_repeat_with_the_seed() -> None:
    weights = metrics.resample_weights(5, 200, seed=3)
    assert weights.shape == (200, 5)
    assert (weights.sum(axis=1) == 5).all()
    assert (weights == 0).any()  # some households left out of some resamples
    assert np.array_equal(weights, metrics.resample_weights(5, 200, seed=3))


def test_a_rate_is_pooled_over_baskets_not_averaged_over_households() -> None:
    hits, baskets = np.array([1.0, 9.0]), np.array([2.0, 10.0])
    estimate = metrics.ratio(hits, baskets, metrics.resample_weights(2, 500, seed=1))
    assert estimate.value == pytest.approx(10 / 12)
    assert estimate.low <= estimate.value <= estimate.high
    assert estimate.low == pytest.approx(0.5) and estimate.high == pytest.approx(0.9)


def test_identical_households_give_an_interval_of_zero_width() -> None:
    hits, baskets = np.full(20, 3.0), np.full(20, 10.0)
    estimate = metrics.ratio(hits, baskets, metrics.resample_weights(20, 300, seed=2))
    assert (estimate.low, estimate.value, estimate.high) == pytest.approx((0.3, 0.3, 0.3))


def test_paired_differences_and_ratios_use_the_same_draws_for_both_policies() -> None:
    baskets = np.array([4.0, 4.0, 4.0, 4.0])
    a = np.array([2.0, 1.0, 3.0, 2.0])
    b = a / 2
    weights = metrics.resample_weights(4, 300, seed=4)
    ratio = metrics.rate_ratio(a, b, weights)
    assert (ratio.low, ratio.value, ratio.high) == pytest.approx((2.0, 2.0, 2.0))
    same = metrics.rate_difference(a, a, baskets, weights)
    assert (same.low, same.value, same.high) == pytest.approx((0.0, 0.0, 0.0))
    assert metrics.rate_difference(a, b, baskets, weights).value == pytest.approx(4 / 16)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ([0.1, 0.2, 0.8, 0.9], 1.0),
        ([0.9, 0.8, 0.2, 0.1], 0.0),
        ([0.5, 0.5, 0.5, 0.5], 0.5),
        ([0.1, 0.6, 0.5, 0.9], 0.75),
    ],
)
def test_auc_counts_ordered_pairs_and_half_of_the_ties(score: list[float], expected: float) -> None:
    label = np.array([False, False, True, True])
    assert metrics.weighted_auc(label, np.array(score), np.ones(4)) == pytest.approx(expected)


def test_an_auc_weight_of_two_is_the_same_as_the_row_twice() -> None:
    label = np.array([False, True, False, True, True])
    score = np.array([0.3, 0.2, 0.1, 0.9, 0.3])
    weight = np.array([2.0, 1.0, 1.0, 1.0, 2.0])
    duplicated = np.repeat(np.arange(5), weight.astype(int))
    expected = metrics.weighted_auc(label[duplicated], score[duplicated], np.ones(len(duplicated)))
    assert metrics.weighted_auc(label, score, weight) == pytest.approx(expected)


def test_auc_resamples_move_a_households_rows_together() -> None:
    label = np.array([False, True, False, True])
    score = np.array([0.2, 0.8, 0.3, 0.1])
    unit = np.array([0, 0, 1, 1])  # household 0 is ranked well, household 1 badly
    weights = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    estimates, draws = metrics.auc_estimates(label, {"model": score}, unit, weights)
    assert draws["model"] == pytest.approx([1.0, 0.0, 0.5])
    assert estimates["model"].value == pytest.approx(0.5)


def test_a_mean_ratio_compares_group_means_per_unit_counted() -> None:
    weights = metrics.resample_weights(3, 100, seed=5)
    estimate = metrics.mean_ratio(
        np.array([30.0, 0.0, 30.0]),
        np.array([1.0, 0.0, 1.0]),
        np.array([0.0, 10.0, 10.0]),
        np.array([0.0, 1.0, 1.0]),
        weights,
    )
    assert estimate.value == pytest.approx(3.0)
    assert estimate.low <= estimate.value <= estimate.high


def test_tie_breaks_follow_popularity_and_never_outweigh_a_whole_basket() -> None:
    bonus = tie_break(np.array([5.0, 50.0, 1.0]))
    assert list(np.argsort(bonus)) == [2, 0, 1]
    assert bonus.max() < 1e-6


def test_a_decayed_preference_halves_every_half_life() -> None:
    present = np.array([[1.0, 0.0], [0.0, 1.0]])
    states = preference_states(present, np.array([0.0, 28.0]), half_life=28.0)
    assert states[1] == pytest.approx([0.5, 1.0])
    assert preference_states(present, np.array([0.0, 28.0]), None)[1] == pytest.approx([1.0, 1.0])


def test_real_time_sees_the_same_week_baskets_that_weekly_does_not() -> None:
    # Category 0 twice in week 1, then category 1 three times in week 2; the tie after the fourth
    # basket goes to category 0, the more popular one.
    present = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0, 0]], dtype=float)
    weeks = np.array([1, 1, 2, 2, 2, 2])
    days = np.arange(6, dtype=float)
    weekly, realtime = member_offers(present, days, weeks, tie_break(np.array([1.0, 0.0])), None)
    assert list(weekly) == [-1, -1, 0, 0, 0, 0]
    assert list(realtime) == [-1, 0, 0, 0, 0, 1]


def test_small_demographic_groups_are_banded_and_missing_profiles_have_their_own_group() -> None:
    demographics = pd.DataFrame(
        {"household_id": [1, 2], "age": ["19-24", "65+"], "income": ["200-249K", "Under 15K"]}
    )
    bands = demographic_bands(demographics, np.array([1, 2, 3]))
    assert list(bands["age"]) == ["19-34", "55+", "no demographics"]
    assert list(bands["income"]) == ["75K+", "under 35K", "no demographics"]
    assert band_order("age") == ["19-34", "35-44", "45-54", "55+", "no demographics"]


def test_an_unknown_demographic_value_is_refused_not_silently_dropped() -> None:
    demographics = pd.DataFrame({"household_id": [1], "age": ["18-"], "income": ["50-74K"]})
    with pytest.raises(ValueError, match="age values without a band"):
        demographic_bands(demographics, np.array([1]))
