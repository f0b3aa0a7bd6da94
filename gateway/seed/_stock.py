"""Stock per (store, category): the data has no inventory, so it is derived from sales.

A store carries a category when it sold it in the data's last 52 weeks. Its stock is
`stock_units` (`_rules.py`) of its weekly sales: purchase lines, not the data's
`quantity`, which counts fuel in gallons and some items by weight (thousands a line).
All households count, so every seed, whatever its subset, has the same stock.
"""

from __future__ import annotations

import pandas as pd

from gateway.seed._rules import YEAR_WEEKS, stock_units

STOCK_COLUMNS = ["store_id", "category", "units"]


def derive_stock(transactions: pd.DataFrame, products: pd.DataFrame, last_week: int) -> pd.DataFrame:
    """Rows in `STOCK_COLUMNS`, ordered by store id (as text) and category."""
    catalog = products.drop_duplicates("product_id").set_index("product_id")
    category_of = catalog["product_category"].fillna(catalog["department"])
    window = transactions[transactions["week"] > last_week - YEAR_WEEKS]
    lines = pd.DataFrame(
        {
            "store_id": window["store_id"].to_numpy(),
            "category": window["product_id"].map(category_of).to_numpy(),
        }
    ).dropna()
    sold = lines.groupby(["store_id", "category"]).size().rename("lines").reset_index()
    sold["store_id"] = sold["store_id"].astype(str)  # after grouping: 34 thousand strings, not 1.5 million
    sold = sold.sort_values(["store_id", "category"], ignore_index=True)
    sold["units"] = [
        stock_units(store, category, count / YEAR_WEEKS)
        for store, category, count in zip(sold["store_id"], sold["category"], sold["lines"], strict=True)
    ]
    return sold[STOCK_COLUMNS]
