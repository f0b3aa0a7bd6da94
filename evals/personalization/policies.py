"""Offer policies: which one category each household is offered before a basket.

A category's preference score is the number of the household's (or segment's)
baskets that contained it, optionally discounted by age with a half-life. Ties are
broken by warm-up popularity (``tie_break``), so a household with no offerable
history is offered the popular category.

- popularity: the category in most warm-up baskets, fixed for the whole test;
- segments: k-means on each household's spend share by department, recomputed at
  the start of every test week on all history before it; a household is offered
  its segment's top category;
- member weekly: the household's own top category as of the start of the week;
- member real-time: the household's own top category as of its previous basket.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SEED = 20171231


def tie_break(counts: FloatArray) -> FloatArray:
    """Tiny, strictly ordered bonuses (below 1e-6) that favour the more popular category."""
    ranks = np.argsort(np.argsort(counts, kind="stable"), kind="stable")
    return (ranks + 1) / (len(counts) + 1) * 1e-6


def preference_states(present: FloatArray, days: FloatArray, half_life: float | None) -> FloatArray:
    """Preference scores after each basket (row i includes basket i).

    ``present`` is baskets x categories (1 where bought), ``days`` the basket times in
    days, sorted. Without a half-life the score is a running count; with one, each
    basket's weight halves every ``half_life`` days.
    """
    if half_life is None:
        return np.asarray(np.cumsum(present, axis=0), dtype=np.float64)
    rate = np.log(2.0) / half_life
    elapsed = days - days[0]
    grown = np.cumsum(present * np.exp(rate * elapsed)[:, None], axis=0)
    return np.asarray(grown * np.exp(-rate * elapsed)[:, None], dtype=np.float64)


def member_offers(
    present: FloatArray, days: FloatArray, weeks: IntArray, bonus: FloatArray, half_life: float | None
) -> tuple[IntArray, IntArray]:
    """(weekly, real-time) offers for every basket of one household; -1 with no history at all.

    Weekly uses the state after the last basket of an earlier week; real-time the
    state after the previous basket. Both states are argmaxed on the same scale.
    """
    states = preference_states(present, days, half_life)
    scale = states.max(axis=1, keepdims=True)
    best_after = np.argmax(states / np.where(scale > 0, scale, 1.0) + bonus, axis=1)
    realtime = np.concatenate(([-1], best_after[:-1]))
    last_earlier = np.searchsorted(weeks, weeks, side="left") - 1
    weekly = np.where(last_earlier >= 0, best_after[np.maximum(last_earlier, 0)], -1)
    return weekly.astype(np.int64), realtime.astype(np.int64)


def department_of(categories: tuple[str, ...], products: pd.DataFrame) -> IntArray:
    """Each category's department (the one with most of its products), as a code."""
    frame = products.dropna(subset=["product_category"])
    modal = frame.groupby("product_category")["department"].agg(lambda s: s.value_counts().index[0])
    codes = pd.Categorical(modal.reindex(list(categories))).codes
    return np.asarray(codes, dtype=np.int64)


def segment_tops(
    history: pd.DataFrame, departments: IntArray, bonus: FloatArray, n_segments: int
) -> pd.Series:
    """Household -> its segment's top category, from one snapshot of history.

    ``history`` has household_id, category, spend, one row per basket and category.
    Segments: k-means on the square root of the spend share by department.
    """
    by_dept = history.assign(dept=departments[history["category"].to_numpy()])
    spend = by_dept.pivot_table(
        index="household_id", columns="dept", values="spend", aggfunc="sum", fill_value=0.0
    )
    spend = spend[spend.sum(axis=1) > 0]
    shares = np.sqrt(spend.to_numpy() / spend.to_numpy().sum(axis=1, keepdims=True))
    model = KMeans(n_clusters=n_segments, n_init=4, random_state=SEED)
    with threadpool_limits(limits=1):  # small data: threads only contend on a busy 2-core machine
        labels = model.fit_predict(shares)
    segment = pd.Series(labels, index=spend.index, name="segment")
    counts = (
        history.join(segment, on="household_id")
        .groupby(["segment", "category"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=range(len(bonus)), fill_value=0)
    )
    tops = np.argmax(counts.to_numpy() + bonus, axis=1)
    return segment.map(pd.Series(tops, index=counts.index)).astype(np.int64)


def weekly_segment_offers(
    lines: pd.DataFrame, test_weeks: range, departments: IntArray, bonus: FloatArray, n_segments: int
) -> pd.DataFrame:
    """Segment offers per (household_id, week), segments refit at the start of each test week.

    ``lines`` has household_id, week, category, spend (one row per basket and category).
    """
    frames = []
    for week in test_weeks:
        tops = segment_tops(lines[lines["week"] < week], departments, bonus, n_segments)
        frames.append(pd.DataFrame({"household_id": tops.index, "week": week, "offer": tops.to_numpy()}))
    return pd.concat(frames, ignore_index=True)
