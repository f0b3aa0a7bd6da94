"""Members: one per household, with tier and points derived from purchase history.

All windows count the data set's own `week` numbers back from its last week, so a
member's standing does not depend on the demo clock or on which day the seed runs.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from gateway.policy.program import ProgramPolicy
from gateway.seed._rules import DemoClock

MEMBER_COLUMNS = [
    "member_id",
    "tier",
    "points",
    "points_expiring",
    "points_expire_on",
    "annual_spend",
    "next_tier",
    "spend_to_next_tier",
    "home_store_id",
    "age_band",
    "income_band",
    "member_since",
]

ANNUAL_WEEKS = 52


def derive_members(
    tx: pd.DataFrame,
    demographics: pd.DataFrame,
    *,
    program: ProgramPolicy,
    clock: DemoClock,
    last_week: int,
) -> pd.DataFrame:
    """One row per household in `tx`, columns as in `MEMBER_COLUMNS`."""
    households = pd.Index(sorted(tx["household_id"].unique()), name="household_id")
    rules = program.points
    earn_after = last_week - rules.earning_window_weeks
    expiring_weeks = min(rules.expiring_window_weeks, rules.earning_window_weeks)

    members = pd.DataFrame(index=households)
    members["member_id"] = households.astype(str)
    members["annual_spend"] = _spend(tx, households, last_week - ANNUAL_WEEKS, last_week)
    members["points"] = _points(_spend(tx, households, earn_after, last_week), rules.points_per_dollar)
    members["points_expiring"] = _points(
        _spend(tx, households, earn_after, earn_after + expiring_weeks), rules.points_per_dollar
    )
    members["points_expire_on"] = (clock.today + timedelta(days=rules.expiry_days_ahead)).isoformat()
    _add_tiers(members, program)
    members["home_store_id"] = _home_stores(tx)
    bands = demographics.set_index("household_id")[["age", "income"]]
    members["age_band"] = bands["age"].reindex(households)
    members["income_band"] = bands["income"].reindex(households)
    members["member_since"] = _first_days(tx, clock).reindex(households)
    return members.reset_index(drop=True)[MEMBER_COLUMNS]


def _spend(tx: pd.DataFrame, households: pd.Index, after: int, upto: int) -> pd.Series:
    """Sum of sales per household over the weeks in (after, upto], in cents-exact dollars."""
    in_window = tx[(tx["week"] > after) & (tx["week"] <= upto)]
    spend = in_window.groupby("household_id")["sales_value"].sum()
    return spend.reindex(households, fill_value=0.0).round(2)


def _points(spend: pd.Series, points_per_dollar: float) -> pd.Series:
    # The epsilon keeps 12.3 * 10 (= 122.99999...) from losing a point to float error.
    return np.floor(spend * points_per_dollar + 1e-6).astype("int64")


def _add_tiers(members: pd.DataFrame, program: ProgramPolicy) -> None:
    tiers = [program.tier_for(spend) for spend in members["annual_spend"]]
    nexts = [program.next_tier(t.name) for t in tiers]
    members["tier"] = [t.name for t in tiers]
    members["next_tier"] = [n.name if n else None for n in nexts]
    members["spend_to_next_tier"] = [
        round(n.min_annual_spend - spend, 2) if n else 0.0
        for n, spend in zip(nexts, members["annual_spend"], strict=True)
    ]


def _first_days(tx: pd.DataFrame, clock: DemoClock) -> pd.Series:
    """The day of each household's first purchase, on the demo clock."""
    first = tx.groupby("household_id")["transaction_timestamp"].min() + clock.shift
    return first.dt.strftime("%Y-%m-%d")


def _home_stores(tx: pd.DataFrame) -> pd.Series:
    """The store with the most baskets; ties go to the lower store id."""
    visits = tx.groupby(["household_id", "store_id"])["basket_id"].nunique()
    ranked = visits.rename("visits").reset_index()
    ranked = ranked.sort_values(["household_id", "visits", "store_id"], ascending=[True, False, True])
    home = ranked.drop_duplicates("household_id").set_index("household_id")["store_id"]
    return home.astype(str)
