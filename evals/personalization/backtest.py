"""Time-split backtest of offer policies, then the whole personalisation report.

    .venv/bin/python -m evals.personalization.backtest

For every basket of the test weeks each policy (see ``policies``) picks one
offerable category before the basket; we score whether the basket contained it
(hit), the spend on it, and hits on categories the household had not bought in
the previous four weeks (novelty). Household-resampled bootstrap intervals; the
effect of individualisation (segments -> member weekly) is kept apart from the
effect of real-time updating (member weekly -> member real-time). Running the
module also runs ``propensity`` and writes ``report.md`` and ``report.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evals.personalization import metrics
from evals.personalization.data import Baskets, band_order, build_baskets, demographic_bands
from evals.personalization.policies import (
    department_of,
    member_offers,
    tie_break,
    weekly_segment_offers,
)

N_BOOT = 1000
SEED = 7
NOVELTY_DAYS = 28.0
HALF_LIFE_DAYS = 28.0
N_SEGMENTS = 8
FINE_SEGMENTS = 32
MIN_GROUP_HOUSEHOLDS = 100
POLICIES = (
    "popularity",
    f"segments k={N_SEGMENTS}",
    f"segments k={FINE_SEGMENTS}",
    "member weekly",
    "member real-time",
    "member weekly, decayed",
    "member real-time, decayed",
)
SEGMENTS, MEMBER_WEEKLY, MEMBER_REALTIME = POLICIES[1], POLICIES[3], POLICIES[4]
# (name, policy a, policy b): a is compared against b on the same baskets.
EFFECTS = (
    ("individualisation (segments -> member, both weekly)", MEMBER_WEEKLY, SEGMENTS),
    ("real-time updating (member weekly -> member real-time)", MEMBER_REALTIME, MEMBER_WEEKLY),
    ("real-time updating, decayed preference", POLICIES[6], POLICIES[5]),
    ("segmentation (popularity -> segments)", SEGMENTS, POLICIES[0]),
    ("individualisation vs finer segments (k=32 -> member)", MEMBER_WEEKLY, POLICIES[2]),
)
MEASURES = ("hit", "spend", "novel_hit", "novel_offer")
# (variant, weekly policy, real-time policy): where the two offers differ, which hits.
REALTIME_PAIRS = (("cumulative", POLICIES[3], POLICIES[4]), ("decayed", POLICIES[5], POLICIES[6]))
CHANGED = ("changed", "weekly_hit", "realtime_hit")


@dataclass(frozen=True)
class Split:
    name: str
    warm_up: range
    test: range


SPLITS = (
    Split("main: warm-up weeks 1-39, test weeks 40-53", range(1, 40), range(40, 54)),
    Split("check: warm-up weeks 1-30, test weeks 31-43", range(1, 31), range(31, 44)),
)


@dataclass(frozen=True)
class Prepared:
    """The baskets of one split, with the population policies' offers, and their lines."""

    baskets: pd.DataFrame
    lines: pd.DataFrame
    bonus: np.ndarray
    popular: int


def prepare(data: Baskets, products: pd.DataFrame, split: Split) -> Prepared:
    """Baskets up to the end of the test, with popularity and weekly segment offers attached."""
    baskets = data.baskets[data.baskets["week"] < split.test.stop].reset_index(drop=True)
    if not (baskets.groupby("household_id")["week"].diff().fillna(0) >= 0).all():
        raise ValueError("weeks must not decrease within a household's baskets")
    lines = data.lines.merge(baskets[["basket_id", "household_id", "week"]], on="basket_id")
    warm = lines[lines["week"] < split.test.start]["category"].to_numpy()
    bonus = tie_break(np.bincount(warm, minlength=len(data.categories)).astype(float))
    popular = int(np.argmax(bonus))
    baskets[POLICIES[0]] = popular
    departments = department_of(data.categories, products)
    for name, k in ((POLICIES[1], N_SEGMENTS), (POLICIES[2], FINE_SEGMENTS)):
        offers = weekly_segment_offers(lines, split.test, departments, bonus, k)
        merged = baskets[["household_id", "week"]].merge(offers, how="left", on=["household_id", "week"])
        baskets[name] = merged["offer"].fillna(popular).astype(np.int64).to_numpy()
    return Prepared(baskets, lines, bonus, popular)


def _score(spend: np.ndarray, last_seen: np.ndarray, days: np.ndarray, offers: np.ndarray) -> list[float]:
    """Sums of (hit, spend, novel hit, novel offer) over baskets for one policy's offers."""
    if (offers < 0).any():
        raise ValueError("a test basket got no offer: its household has no earlier basket")
    index = np.arange(len(offers))
    value = spend[index, offers]
    novel = days - last_seen[index, offers] > NOVELTY_DAYS
    hit = value > 0
    return [float(hit.sum()), float(value.sum()), float((hit & novel).sum()), float(novel.sum())]


def _changed(spend: np.ndarray, weekly: np.ndarray, realtime: np.ndarray) -> list[float]:
    """Baskets where real-time updating changed the offer, and the hits of each offer there."""
    changed = np.flatnonzero(weekly != realtime)
    return [
        float(len(changed)),
        float((spend[changed, weekly[changed]] > 0).sum()),
        float((spend[changed, realtime[changed]] > 0).sum()),
    ]


def _offers(
    fixed: dict[str, np.ndarray], present: np.ndarray, days: np.ndarray, weeks: np.ndarray, bonus: np.ndarray
) -> dict[str, np.ndarray]:
    """Every policy's offer for each of one household's baskets."""
    offers = dict(fixed)
    offers[POLICIES[3]], offers[POLICIES[4]] = member_offers(present, days, weeks, bonus, None)
    offers[POLICIES[5]], offers[POLICIES[6]] = member_offers(present, days, weeks, bonus, HALF_LIFE_DAYS)
    return offers


def household_totals(prepared: Prepared, split: Split) -> pd.DataFrame:
    """One row per household with baskets in both periods: test baskets and per-policy sums."""
    baskets, n_cat = prepared.baskets, len(prepared.bonus)
    row_of = pd.Series(np.arange(len(baskets)), index=baskets["basket_id"])
    lines = prepared.lines.assign(row=row_of.reindex(prepared.lines["basket_id"]).to_numpy())
    lines = lines.sort_values("row")
    line_rows, line_cats, line_spend = (lines[c].to_numpy() for c in ("row", "category", "spend"))
    days_all = (baskets["ts"] - baskets["ts"].min()).dt.total_seconds().to_numpy() / 86400
    weeks_all = baskets["week"].to_numpy()
    fixed_all = {name: baskets[name].to_numpy() for name in POLICIES[:3]}
    records: dict[int, list[float]] = {}
    for household, rows in baskets.groupby("household_id", sort=False).indices.items():
        start, stop = int(rows[0]), int(rows[-1]) + 1
        test = weeks_all[start:stop] >= split.test.start
        if test.all() or not test.any():
            continue
        lo, hi = np.searchsorted(line_rows, [start, stop])
        spend = np.zeros((stop - start, n_cat))
        spend[line_rows[lo:hi] - start, line_cats[lo:hi]] = line_spend[lo:hi]
        days = days_all[start:stop]
        seen = np.maximum.accumulate(np.where(spend > 0, days[:, None], -np.inf), axis=0)
        last_seen = np.vstack([np.full((1, n_cat), -np.inf), seen[:-1]])[test]
        fixed = {name: values[start:stop] for name, values in fixed_all.items()}
        offers = _offers(fixed, (spend > 0).astype(float), days, weeks_all[start:stop], prepared.bonus)
        sums = [float(test.sum()), float((spend[test].max(axis=1) > 0).sum())]
        for name in POLICIES:
            sums += _score(spend[test], last_seen, days[test], offers[name][test])
        for _, weekly, realtime in REALTIME_PAIRS:
            sums += _changed(spend[test], offers[weekly][test], offers[realtime][test])
        records[int(household)] = sums
    columns = ["baskets", "offerable"] + [f"{p}|{m}" for p in POLICIES for m in MEASURES]
    columns += [f"{v}|{m}" for v, _, _ in REALTIME_PAIRS for m in CHANGED]
    return pd.DataFrame.from_dict(records, orient="index", columns=columns)


def summarise(totals: pd.DataFrame, seed: int) -> dict[str, Any]:
    """Per-policy rates and paired effects, with household-resampled 95% intervals."""
    weights = metrics.resample_weights(len(totals), N_BOOT, seed)
    den = totals["baskets"].to_numpy()

    def col(policy: str, measure: str) -> np.ndarray:
        return np.asarray(totals[f"{policy}|{measure}"].to_numpy(), dtype=np.float64)

    policies = {p: {m: metrics.ratio(col(p, m), den, weights).as_dict() for m in MEASURES} for p in POLICIES}
    effects = {}
    for name, a, b in EFFECTS:
        effects[name] = {
            "a": a,
            "b": b,
            **{
                f"{m}_difference": metrics.rate_difference(col(a, m), col(b, m), den, weights).as_dict()
                for m in ("hit", "spend", "novel_hit")
            },
            **{
                f"{m}_ratio": metrics.rate_ratio(col(a, m), col(b, m), weights).as_dict()
                for m in ("hit", "spend")
            },
        }
    realtime = {}
    for variant, _, _ in REALTIME_PAIRS:
        changed = col(variant, "changed")
        realtime[variant] = {
            "changed_share": metrics.ratio(changed, den, weights).as_dict(),
            **{
                f"{m}_when_changed": metrics.ratio(col(variant, m), changed, weights).as_dict()
                for m in CHANGED[1:]
            },
        }
    return {
        "households": len(totals),
        "test_baskets": int(den.sum()),
        "offerable_share": float(totals["offerable"].sum() / den.sum()),
        "policies": policies,
        "effects": effects,
        "realtime_changes": realtime,
    }


def breakdowns(totals: pd.DataFrame, bands: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The main policies and the two effects within each age and income band."""
    out: dict[str, list[dict[str, Any]]] = {}
    for dimension in ("age", "income"):
        groups = bands.reindex(totals.index)[dimension]
        rows = []
        for offset, group in enumerate(band_order(dimension)):
            members = totals[groups == group]
            if len(members) < MIN_GROUP_HOUSEHOLDS:
                raise ValueError(f"{dimension} band {group!r} has only {len(members)} households")
            summary = summarise(members, SEED + 100 + offset)
            rows.append({"group": group, **summary})
        out[dimension] = rows
    return out


def run_backtest(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Both splits, with the demographic breakdown on each."""
    data = build_baskets(tables["transactions"], tables["products"])
    results = []
    for number, split in enumerate(SPLITS):
        prepared = prepare(data, tables["products"], split)
        totals = household_totals(prepared, split)
        bands = demographic_bands(tables["demographics"], totals.index.to_numpy())
        summary = summarise(totals, SEED + number)
        summary.update(
            name=split.name,
            warm_up=[split.warm_up.start, split.warm_up.stop - 1],
            test=[split.test.start, split.test.stop - 1],
            popular_category=data.categories[prepared.popular],
            breakdowns=breakdowns(totals, bands),
        )
        results.append(summary)
    return {"categories_offerable": len(data.categories), "splits": results}


def main() -> None:
    from evals.personalization.report import run_all

    run_all()


if __name__ == "__main__":
    main()
