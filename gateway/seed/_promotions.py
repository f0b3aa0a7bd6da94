"""This week's and next week's in-store promotions, and the products each offer covers.

The data's promotions are product × store × week placements; the demo keeps the two
weeks `promotion_weeks` names (the same weeks one year earlier, see `_rules.py`), one
row per placement kind: "display" (any in-store display location) and "mailer" (any
mailer position, coupon and "free" features included). A product placed twice in one
week and kind (the data has a few such rows) is one promotion.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from gateway.seed._rules import DemoClock, promotion_weeks

PROMOTION_COLUMNS = ["store_id", "product_id", "starts", "ends", "kind"]
OFFER_PRODUCT_COLUMNS = ["offer_id", "product_id"]
KINDS = ("display", "mailer")


def derive_promotions(
    promotions: pd.DataFrame, clock: DemoClock, last_week: int, *, stores: Collection[str] | None = None
) -> pd.DataFrame:
    """Rows in `PROMOTION_COLUMNS`, in primary-key order (store id as text, product, week, kind).

    `stores` keeps only those stores' promotions (a subset seed keeps its members' home
    stores: all 112 stores would be 0.9 million rows for a handful of members).
    """
    weeks = promotion_weeks(last_week)
    kept = promotions[promotions["week"].isin(weeks)]
    if stores is not None:
        kept = kept[kept["store_id"].astype(str).isin(set(stores))]
    placed = pd.concat(
        [kept.loc[kept[kind], ["store_id", "product_id", "week"]].assign(kind=kind) for kind in KINDS],
        ignore_index=True,
    ).drop_duplicates()  # the data lists some placements twice (0.2% of the rows)
    text_order = {s: i for i, s in enumerate(sorted({str(s) for s in placed["store_id"].unique()}))}
    store_rank = placed["store_id"].map(lambda s: text_order[str(s)]).to_numpy()
    kind_rank = (placed["kind"] == KINDS[1]).to_numpy()
    order = np.lexsort((kind_rank, placed["week"].to_numpy(), placed["product_id"].to_numpy(), store_rank))
    placed = placed.iloc[order].reset_index(drop=True)
    days = {week: clock.promotion_days(week, last_week) for week in weeks}
    return pd.DataFrame(
        {
            "store_id": placed["store_id"].astype(str),
            "product_id": placed["product_id"].astype("int64"),
            "starts": placed["week"].map({w: first.isoformat() for w, (first, _) in days.items()}),
            "ends": placed["week"].map({w: last.isoformat() for w, (_, last) in days.items()}),
            "kind": placed["kind"],
        }
    )[PROMOTION_COLUMNS]


def derive_offer_products(coupons: pd.DataFrame, offers: pd.DataFrame) -> pd.DataFrame:
    """Every product of each offer's coupon (as in the data, catalog or not), by offer id."""
    ids = "OFR-" + coupons["coupon_upc"].astype(str) + "-" + coupons["campaign_id"].astype(str)
    lines = pd.DataFrame({"offer_id": ids, "product_id": coupons["product_id"].astype("int64")})
    lines = lines[lines["offer_id"].isin(offers["offer_id"])].drop_duplicates()
    return lines.sort_values(["offer_id", "product_id"], ignore_index=True)[OFFER_PRODUCT_COLUMNS]
