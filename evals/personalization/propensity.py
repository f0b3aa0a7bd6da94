"""Who redeems: a household x campaign propensity model on pre-campaign features only.

    .venv/bin/python -m evals.personalization.propensity

Rows are the (household, campaign) pairs of ``campaigns`` (the households that
received each campaign); the label is whether the household redeemed any coupon of
that campaign. Every feature is computed from data strictly before the campaign's
start: recency, frequency and spend in the 8 weeks before, coupon-discounted lines
in those weeks, campaign coupons redeemed and campaigns received before the start,
the share of recent spend on the campaign's own coupon products, the campaign type
and banded demographics. Train on campaigns that ended before the cut-off, test on
campaigns that start after it, so no training label comes from the test period.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evals.personalization import metrics
from evals.personalization.data import demographic_bands

WINDOW = pd.Timedelta(days=56)
EARLIEST_START = pd.Timestamp("2017-03-01")  # at least 8 weeks of history before the start
CUTOFF = pd.Timestamp("2017-08-01")
MIN_OBSERVED_SHARE = 0.5  # of the campaign's window inside the data (redemptions are right-censored)
N_BOOT = 1000
SEED = 11
BASELINE = "campaign_coupons_redeemed_before"
MODELS = ("logistic regression", "gradient boosting")
# Past coupon use alone, two ways: each is a score on its own (higher = more likely).
BASELINES = {
    "baseline: coupon-discounted lines, 8 weeks": "coupon_lines_8w",
    "baseline: campaign coupons redeemed before": BASELINE,
}
MIN_CAMPAIGN_REDEEMERS = 20
NUMERIC = (
    "recency_days",
    "baskets_8w",
    "log_spend_8w",
    "coupon_lines_8w",
    BASELINE,
    "campaigns_received_before",
    "campaign_product_share_8w",
    "log_campaign_product_spend_8w",
)


def _campaign_window(tables: dict[str, pd.DataFrame], campaign: pd.Series) -> pd.DataFrame:
    """Recent-behaviour features for the recipients of one campaign."""
    start = campaign["start_date"]
    tx = tables["transactions"]
    recipients = tables["campaigns"].loc[
        tables["campaigns"]["campaign_id"] == campaign["campaign_id"], "household_id"
    ]
    before = tx[(tx["transaction_timestamp"] < start) & tx["household_id"].isin(recipients)]
    recent = before[before["transaction_timestamp"] >= start - WINDOW]
    coupon_products = tables["coupons"].loc[
        tables["coupons"]["campaign_id"] == campaign["campaign_id"], "product_id"
    ]
    on_campaign = recent["sales_value"].where(recent["product_id"].isin(set(coupon_products)), 0.0)
    grouped = recent.assign(on_campaign=on_campaign, coupon=recent["coupon_disc"] > 0).groupby("household_id")
    frame = pd.DataFrame(index=pd.Index(recipients.unique(), name="household_id"))
    frame["baskets_8w"] = grouped["basket_id"].nunique()
    spend = grouped["sales_value"].sum().reindex(frame.index).fillna(0.0)
    product_spend = grouped["on_campaign"].sum().reindex(frame.index).fillna(0.0)
    frame["log_spend_8w"] = np.log1p(spend)
    frame["coupon_lines_8w"] = grouped["coupon"].sum()
    frame["campaign_product_share_8w"] = product_spend / spend.where(spend > 0)
    frame["log_campaign_product_spend_8w"] = np.log1p(product_spend)
    last = before.groupby("household_id")["transaction_timestamp"].max()
    frame["recency_days"] = ((start - last).dt.days.reindex(frame.index)).clip(upper=WINDOW.days + 1)
    frame["spend_8w"] = spend
    return frame.fillna({"recency_days": WINDOW.days + 1}).fillna(0.0).reset_index()


def _history_features(tables: dict[str, pd.DataFrame], rows: pd.DataFrame) -> pd.DataFrame:
    """Coupons redeemed and campaigns received before each row's campaign start."""
    redemptions = tables["coupon_redemptions"]
    received = tables["campaigns"].merge(tables["campaign_descriptions"], on="campaign_id")
    keys = ["household_id", "start_date"]
    starts = rows[keys].drop_duplicates()
    past_red = starts.merge(redemptions[["household_id", "redemption_date"]])
    past_red = past_red[past_red["redemption_date"] < past_red["start_date"]]
    past_rec = starts.merge(
        received[["household_id", "start_date"]].rename(columns={"start_date": "other_start"})
    )
    past_rec = past_rec[past_rec["other_start"] < past_rec["start_date"]]
    rows = rows.merge(past_red.groupby(keys).size().rename(BASELINE), how="left", on=keys)
    rows = rows.merge(past_rec.groupby(keys).size().rename("campaigns_received_before"), how="left", on=keys)
    return rows.fillna({BASELINE: 0, "campaigns_received_before": 0})


def build_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per eligible (household, campaign): features, label, and train/test period."""
    data_end = tables["transactions"]["transaction_timestamp"].max()
    described = tables["campaign_descriptions"]
    length = (described["end_date"] - described["start_date"]).dt.days
    observed = (data_end - described["start_date"]).dt.days / length
    eligible = described[(described["start_date"] >= EARLIEST_START) & (observed >= MIN_OBSERVED_SHARE)]
    frames = [_campaign_window(tables, c).assign(**c.to_dict()) for _, c in eligible.iterrows()]
    rows = _history_features(tables, pd.concat(frames, ignore_index=True))
    redeemed = tables["coupon_redemptions"][["household_id", "campaign_id"]].drop_duplicates()
    rows = rows.merge(redeemed, how="left", on=["household_id", "campaign_id"], indicator="redeemed")
    rows["redeemed"] = rows["redeemed"] == "both"
    rows["period"] = np.where(
        rows["end_date"] < CUTOFF, "train", np.where(rows["start_date"] >= CUTOFF, "test", "gap")
    )
    bands = demographic_bands(tables["demographics"], rows["household_id"].unique())
    return rows.join(bands, on="household_id")


def design(rows: pd.DataFrame) -> pd.DataFrame:
    """Model inputs: the numeric features plus one-hot campaign type and demographic bands."""
    onehot = pd.get_dummies(rows[["campaign_type", "age", "income"]], dtype=float)
    return pd.concat([rows[list(NUMERIC)].astype(float), onehot], axis=1)


def _fit_scores(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    train, test = rows["period"] == "train", rows["period"] == "test"
    features = design(rows)
    label = rows.loc[train, "redeemed"].to_numpy()
    logistic = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    boosting = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_depth=3, l2_regularization=1.0, random_state=SEED
    )
    scores = {}
    for name, model in zip(MODELS, (logistic, boosting), strict=True):
        model.fit(features[train].to_numpy(), label)
        scores[name] = model.predict_proba(features[test].to_numpy())[:, 1]
    for name, column in BASELINES.items():
        scores[name] = rows.loc[test, column].to_numpy(dtype=float)
    return scores


def per_campaign(test: pd.DataFrame, scores: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """AUC within each test campaign with enough redeemers (points only: small groups)."""
    out = []
    for campaign, index in test.reset_index(drop=True).groupby("campaign_id").groups.items():
        label = test["redeemed"].to_numpy()[index]
        if label.sum() < MIN_CAMPAIGN_REDEEMERS:
            continue
        aucs = {
            name: metrics.weighted_auc(label, score[index], np.ones(len(index)))
            for name, score in scores.items()
        }
        out.append(
            {
                "campaign_id": int(campaign),
                "type": str(test["campaign_type"].iloc[index[0]]),
                "rows": len(index),
                "redeemers": int(label.sum()),
                "auc": aucs,
            }
        )
    return out


def _spend_ratio(frame: pd.DataFrame, spend: str, flag: str, seed: int) -> dict[str, float]:
    """Mean ``spend`` of rows with ``flag`` over rows without, households resampled."""
    yes = frame[spend].where(frame[flag], 0.0)
    parts = pd.DataFrame(
        {
            "household_id": frame["household_id"],
            "sum_a": yes,
            "n_a": frame[flag],
            "sum_b": frame[spend] - yes,
            "n_b": ~frame[flag],
        }
    )
    per_household = parts.groupby("household_id").sum().astype(float)
    weights = metrics.resample_weights(len(per_household), N_BOOT, seed)
    sum_a, n_a, sum_b, n_b = (per_household[c].to_numpy() for c in ("sum_a", "n_a", "sum_b", "n_b"))
    return metrics.mean_ratio(sum_a, n_a, sum_b, n_b, weights).as_dict()


def selection_illustration(tables: dict[str, pd.DataFrame], rows: pd.DataFrame) -> dict[str, Any]:
    """Spend gaps that look like lift but come from who is targeted and who responds.

    No coupon had been used in the 8 weeks before a campaign, and the year's spend
    of targeted households is not an effect of being targeted: these are selection.
    """
    spend = tables["transactions"].groupby("household_id")["sales_value"].sum().rename("spend").reset_index()
    spend["redeemer"] = spend["household_id"].isin(tables["coupon_redemptions"]["household_id"])
    spend["targeted"] = spend["household_id"].isin(tables["campaigns"]["household_id"])
    return {
        "redeemers_vs_not_8w_before_campaign": _spend_ratio(rows, "spend_8w", "redeemed", SEED + 1),
        "redeemers_vs_not_year": _spend_ratio(spend, "spend", "redeemer", SEED + 2),
        "targeted_vs_never_targeted_year": _spend_ratio(spend, "spend", "targeted", SEED + 3),
        "households": {
            "redeemers": int(spend["redeemer"].sum()),
            "targeted": int(spend["targeted"].sum()),
            "all": len(spend),
        },
    }


def run_propensity(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """AUC on later campaigns for the models and the past-coupon-use baselines, with intervals."""
    rows = build_rows(tables)
    test = rows[rows["period"] == "test"]
    scores = _fit_scores(rows)
    households, unit = np.unique(test["household_id"].to_numpy(), return_inverse=True)
    weights = metrics.resample_weights(len(households), N_BOOT, SEED)
    label = test["redeemed"].to_numpy()
    estimates, draws = metrics.auc_estimates(label, scores, unit, weights)
    gains = {
        f"{model} - {baseline}": metrics.paired_difference(
            estimates[model].value - estimates[baseline].value, draws[model], draws[baseline]
        ).as_dict()
        for model in MODELS
        for baseline in BASELINES
    }

    def period(name: str) -> dict[str, Any]:
        part = rows[rows["period"] == name]
        return {
            "campaigns": sorted(int(c) for c in part["campaign_id"].unique()),
            "rows": len(part),
            "households": int(part["household_id"].nunique()),
            "redeemed": float(part["redeemed"].mean()),
        }

    return {
        "train": period("train"),
        "test": period("test"),
        "left_out_between": period("gap")["campaigns"],
        "features": [*NUMERIC, "campaign type", "age band", "income band"],
        "auc": {name: estimate.as_dict() for name, estimate in estimates.items()},
        "auc_gain": gains,
        "per_campaign": per_campaign(test, scores),
        "selection": selection_illustration(tables, rows),
    }


def main() -> None:
    from evals.personalization.data import load_tables

    print(json.dumps(run_propensity(load_tables()), indent=2))


if __name__ == "__main__":
    main()
