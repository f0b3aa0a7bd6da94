"""Products, stores and purchase lines, shaped for the tables in `gateway.members.schema`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gateway.seed._rules import DemoClock, hours_text, store_hours

PRODUCT_COLUMNS = [
    "product_id",
    "department",
    "category",
    "product_type",
    "brand",
    "package_size",
    "description",
]
STORE_COLUMNS = ["store_id", "name", "opens", "closes", "hours"]
PURCHASE_COLUMNS = [
    "member_id",
    "ts",
    "line",
    "day",
    "basket_id",
    "product_id",
    "quantity",
    "amount",
    "store_id",
]


def derive_products(products: pd.DataFrame) -> pd.DataFrame:
    """The catalog as in the data, plus a readable description.

    The description is the product type (or the category, or the department when
    those are missing) and the brand, e.g. "Bread:Italian/French (Private brand)".
    """
    catalog = products.rename(columns={"product_category": "category"})
    kind = catalog["product_type"].fillna(catalog["category"]).fillna(catalog["department"])
    catalog["description"] = kind.str.strip().str.title() + " (" + catalog["brand"] + " brand)"
    return catalog.sort_values("product_id")[PRODUCT_COLUMNS]


def derive_stores(transactions: pd.DataFrame) -> pd.DataFrame:
    """Every store that appears in the data; the data has no names or hours."""
    ids = sorted(int(s) for s in transactions["store_id"].unique())
    rows = []
    for store_id in ids:
        key = str(store_id)
        opens, closes = store_hours(key)
        rows.append((key, f"Store {key}", opens, closes, hours_text(opens, closes)))
    return pd.DataFrame(rows, columns=STORE_COLUMNS)


def derive_purchases(tx: pd.DataFrame, clock: DemoClock) -> pd.DataFrame:
    """Purchase lines on the demo clock, in primary-key order (fast clustered inserts).

    Sorted on numeric keys, and times formatted by Arrow straight into Arrow strings:
    going through numpy or Python strings for 1.5 million rows cost 700 MB more at peak.
    """
    text_order = {h: i for i, h in enumerate(sorted(set(tx["household_id"].tolist()), key=str))}
    member_rank = tx["household_id"].map(text_order).to_numpy()
    moments = (tx["transaction_timestamp"] + clock.shift).to_numpy().astype("datetime64[s]")
    order = np.lexsort((tx.index.to_numpy(), moments, member_rank))
    tx = tx.iloc[order]
    ts = pc.strftime(pa.array(moments[order]), format="%Y-%m-%dT%H:%M:%S")
    lines = pd.DataFrame(
        {
            "member_id": tx["household_id"].astype("str").to_numpy(),
            "ts": pd.array(ts, dtype="str"),
            "line": tx.index.to_numpy(dtype="int64"),
            "day": pd.array(pc.utf8_slice_codeunits(ts, 0, 10), dtype="str"),
            "basket_id": tx["basket_id"].to_numpy(),
            "product_id": tx["product_id"].to_numpy(),
            "quantity": tx["quantity"].to_numpy(),
            "amount": tx["sales_value"].round(2).to_numpy(),
            "store_id": tx["store_id"].astype("str").to_numpy(),
        }
    )
    return lines[PURCHASE_COLUMNS]
