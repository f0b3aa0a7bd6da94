"""The offer catalog (one offer per coupon and campaign) and which member received which.

The data set's coupons carry no discount and no tier; both come from the documented
rules in `_rules.py`, and every discount is capped so that no offer breaks its
department's margin floor or exceeds what its own minimum tier may be offered.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.seed._rules import (
    MAX_OFFERS_PER_MEMBER,
    MIN_OFFER_DISCOUNT,
    min_tier_rank,
    raw_discount_pct,
)

OFFER_COLUMNS = [
    "offer_id",
    "coupon_upc",
    "campaign_id",
    "campaign_type",
    "title",
    "department",
    "category",
    "discount_pct",
    "min_tier",
    "valid_from",
    "valid_until",
    "product_count",
]
TARGET_COLUMNS = ["member_id", "offer_id", "rank"]
_KEY = ["coupon_upc", "campaign_id"]


def derive_offers(
    coupons: pd.DataFrame,
    products: pd.DataFrame,
    campaign_descriptions: pd.DataFrame,
    *,
    program: ProgramPolicy,
    margins: MarginPolicy,
    today: date,
) -> pd.DataFrame:
    """Offers in `OFFER_COLUMNS`; coupons whose capped discount is under 5% are left out."""
    offers = _coupon_departments(coupons, products)
    campaigns = campaign_descriptions.set_index("campaign_id")
    offers["campaign_type"] = offers["campaign_id"].map(campaigns["campaign_type"])
    duration = (campaigns["end_date"] - campaigns["start_date"]).dt.days
    offers["valid_from"] = today.isoformat()
    offers["valid_until"] = [
        (today + timedelta(days=int(days))).isoformat() for days in offers["campaign_id"].map(duration)
    ]
    ranks = [min_tier_rank(t, len(program.tiers)) for t in offers["campaign_type"]]
    offers["min_tier"] = [program.tiers[r].name for r in ranks]
    offers["discount_pct"] = [
        min(raw_discount_pct(upc), margins.max_discount_pct(dept), program.tiers[r].max_discount_pct)
        for upc, dept, r in zip(offers["coupon_upc"], offers["department"], ranks, strict=True)
    ]
    offers["title"] = offers["category"].str.title() + " savings"
    offers["offer_id"] = "OFR-" + offers["coupon_upc"] + "-" + offers["campaign_id"].astype(str)
    offers = offers[offers["discount_pct"] >= MIN_OFFER_DISCOUNT]
    return offers.sort_values("offer_id", ignore_index=True)[OFFER_COLUMNS]


def _coupon_departments(coupons: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Per coupon and campaign: its most common department, and within that department its
    most common category (ties by name). Coupons with no product in the catalog are dropped."""
    lines = coupons.merge(
        products[["product_id", "department", "product_category"]], on="product_id", how="inner"
    )
    lines["category"] = lines["product_category"].fillna(lines["department"])
    sizes = lines.groupby(_KEY).size().rename("product_count")
    top_dept = _most_common(lines, "department")
    in_dept = lines.merge(top_dept[[*_KEY, "department"]], on=[*_KEY, "department"])
    top_cat = _most_common(in_dept, "category")
    offers = top_dept[[*_KEY, "department"]].merge(top_cat[[*_KEY, "category"]], on=_KEY)
    offers = offers.merge(sizes.reset_index(), on=_KEY)
    offers["coupon_upc"] = offers["coupon_upc"].astype(str)
    return offers


def _most_common(lines: pd.DataFrame, column: str) -> pd.DataFrame:
    counts = lines.groupby([*_KEY, column]).size().rename("n").reset_index()
    counts = counts.sort_values([*_KEY, "n", column], ascending=[True, True, False, True])
    return counts.drop_duplicates(_KEY, ignore_index=True)


def derive_targets(
    campaigns: pd.DataFrame,
    offers: pd.DataFrame,
    members: pd.DataFrame,
    category_spend: pd.DataFrame,
    *,
    program: ProgramPolicy,
) -> pd.DataFrame:
    """Member → offer, at most `MAX_OFFERS_PER_MEMBER` each, from the campaigns they received.

    Preference, in order: offers the member's tier can use; categories the member
    spent most on (`category_spend`: member_id, category, spend); larger discount;
    offer id. Fully deterministic.
    """
    received = campaigns.assign(member_id=campaigns["household_id"].astype(str))
    received = received[received["member_id"].isin(members["member_id"])]
    candidates = received[["member_id", "campaign_id"]].merge(
        offers[["offer_id", "campaign_id", "category", "discount_pct", "min_tier"]],
        on="campaign_id",
    )
    candidates = candidates.merge(members[["member_id", "tier"]], on="member_id")
    if candidates.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    candidates = candidates.merge(category_spend, on=["member_id", "category"], how="left")
    candidates["spend"] = candidates["spend"].fillna(0.0)
    candidates["usable"] = _tier_can_use(candidates, program)
    candidates = candidates.drop_duplicates(["member_id", "offer_id"]).sort_values(
        ["member_id", "usable", "spend", "discount_pct", "offer_id"],
        ascending=[True, False, False, False, True],
        ignore_index=True,
    )
    candidates["rank"] = candidates.groupby("member_id").cumcount() + 1
    chosen = candidates[candidates["rank"] <= MAX_OFFERS_PER_MEMBER]
    return chosen[TARGET_COLUMNS].reset_index(drop=True)


def _tier_can_use(candidates: pd.DataFrame, program: ProgramPolicy) -> pd.Series:
    rank = {t.name: i for i, t in enumerate(program.tiers)}
    limit = {t.name: t.max_discount_pct for t in program.tiers}
    tier_high_enough = candidates["tier"].map(rank) >= candidates["min_tier"].map(rank)
    return tier_high_enough & (candidates["discount_pct"] <= candidates["tier"].map(limit))


def category_spend(tx: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Spend per member and product category (the category used by offers)."""
    categories = products[["product_id", "product_category", "department"]]
    lines = tx[["household_id", "product_id", "sales_value"]].merge(categories, on="product_id")
    lines["category"] = lines["product_category"].fillna(lines["department"])
    spend = lines.groupby(["household_id", "category"])["sales_value"].sum().rename("spend")
    spend = spend.reset_index()
    spend["member_id"] = spend["household_id"].astype(str)
    return spend[["member_id", "category", "spend"]]
