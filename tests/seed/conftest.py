"""Fixtures: the real data set loaded once, a 30-household demo database seeded once,
and a tiny hand-made data set whose every figure can be checked by hand."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.policy.yamlfile import load_model
from gateway.seed import SeedReport, SourceTables, load_source, seed_demo
from gateway.settings import PROJECT_ROOT

TODAY = date(2026, 11, 23)
HOUSEHOLDS = 30


@dataclass(frozen=True)
class Seeded:
    path: Path
    report: SeedReport


@pytest.fixture(scope="session")
def program() -> ProgramPolicy:
    return load_model(PROJECT_ROOT / "policies" / "program.yaml", ProgramPolicy)[0]


@pytest.fixture(scope="session")
def margins() -> MarginPolicy:
    return load_model(PROJECT_ROOT / "policies" / "margins.yaml", MarginPolicy)[0]


@pytest.fixture(scope="session")
def tiny_program() -> ProgramPolicy:
    """Spelled out here so that the hand-made cases do not move when program.yaml is tuned."""
    return ProgramPolicy.model_validate(
        {
            "program_name": "Test Rewards",
            "tiers": [
                {"name": "Bronze", "min_annual_spend": 0, "max_discount_pct": 10},
                {"name": "Silver", "min_annual_spend": 1000, "max_discount_pct": 15},
                {"name": "Gold", "min_annual_spend": 2500, "max_discount_pct": 20},
                {"name": "Platinum", "min_annual_spend": 5000, "max_discount_pct": 25},
            ],
            "points": {
                "points_per_dollar": 1,
                "earning_window_weeks": 26,
                "expiring_window_weeks": 4,
                "expiry_days_ahead": 30,
            },
        }
    )


@pytest.fixture(scope="session")
def tiny_margins() -> MarginPolicy:
    """GROCERY allows 18% off, PRODUCE 30%, FUEL nothing; others the default 14%."""
    return MarginPolicy(
        assumption="test margins",
        min_margin_after_discount_pct=8,
        default_gross_margin_pct=22,
        departments={"GROCERY": 26, "PRODUCE": 38, "FUEL": 8},
    )


@pytest.fixture(scope="session")
def source() -> SourceTables:
    return load_source()


@pytest.fixture(scope="session")
def seeded(
    tmp_path_factory: pytest.TempPathFactory,
    source: SourceTables,
    program: ProgramPolicy,
    margins: MarginPolicy,
) -> Seeded:
    path = tmp_path_factory.mktemp("demo") / "loyalty.db"
    report = seed_demo(
        path,
        program=program,
        margins=margins,
        households=HOUSEHOLDS,
        today=TODAY,
        progress=False,
        source=source,
    )
    return Seeded(path, report)


def seed_tiny(path: Path, source: SourceTables, program: ProgramPolicy, margins: MarginPolicy) -> Path:
    """Seed every household of a hand-made data set."""
    seed_demo(path, program=program, margins=margins, today=TODAY, progress=False, source=source)
    return path


def query(path: Path, sql: str, *params: Any) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def tiny_source(
    spends: Mapping[int, Sequence[tuple[int, float] | tuple[int, float, int]]],
    *,
    coupons: Sequence[tuple[int, int, int]] = (),
    campaigns: Sequence[tuple[int, str, int]] = (),
    received: Sequence[tuple[int, int]] = (),
    promotions: Sequence[tuple[int, int, int, bool, bool]] = (),
) -> SourceTables:
    """A hand-made data set in the package's column layout.

    spends: household → [(week, sales_value[, product_id])], one purchase line each
    (product 1 unless given; store 10 + household % 2; one basket per line). Give
    some household a line in week 53: the data's last week, ending on 2018-01-01.
    coupons: (coupon_upc, product_id, campaign_id); campaigns: (id, type, days);
    received: (campaign_id, household_id);
    promotions: (product_id, store_id, week, on display, in the mailer).
    """
    lines = [
        (hh, 10 + hh % 2, hh * 1000 + i, (*rest, 1)[0], 1, value, week, _day_of_week(week))
        for hh, weeks in spends.items()
        for i, (week, value, *rest) in enumerate(weeks)
    ]
    tx = pd.DataFrame(lines, columns=[*_TX_COLUMNS])
    return SourceTables(
        transactions=tx,
        products=_PRODUCTS.copy(),
        demographics=pd.DataFrame(
            [(hh, "35-44", "50-74K") for hh in spends], columns=["household_id", "age", "income"]
        ),
        campaigns=pd.DataFrame(list(received), columns=["campaign_id", "household_id"], dtype="int64"),
        campaign_descriptions=pd.DataFrame(
            [
                (cid, kind, pd.Timestamp("2017-03-01"), pd.Timestamp("2017-03-01") + pd.Timedelta(days=d))
                for cid, kind, d in campaigns
            ],
            columns=["campaign_id", "campaign_type", "start_date", "end_date"],
        ).astype({"campaign_id": "int64", "start_date": "datetime64[ns]", "end_date": "datetime64[ns]"}),
        coupons=pd.DataFrame(
            list(coupons), columns=["coupon_upc", "product_id", "campaign_id"], dtype="int64"
        ),
        promotions=pd.DataFrame(
            list(promotions), columns=["product_id", "store_id", "week", "display", "mailer"]
        ).astype(_PROMOTION_DTYPES),
    )


_TX_COLUMNS = (
    "household_id",
    "store_id",
    "basket_id",
    "product_id",
    "quantity",
    "sales_value",
    "week",
    "transaction_timestamp",
)

_PROMOTION_DTYPES = {"product_id": "int64", "store_id": "int64", "week": "int64", "display": bool,
                     "mailer": bool}

_PRODUCTS = pd.DataFrame(
    [
        (1, 1, "GROCERY", "National", "CHEESE", "CHEDDAR", "8 OZ"),
        (2, 1, "GROCERY", "Private", "CHEESE", "SWISS", None),
        (3, 1, "PRODUCE", "National", "TOMATOES", None, None),
        (4, 1, "FUEL", "National", "GASOLINE", "GASOLINE-REG UNLEADED", None),
        (5, 1, "DRUG GM", "National", None, None, None),
    ],
    columns=[
        "product_id",
        "manufacturer_id",
        "department",
        "brand",
        "product_category",
        "product_type",
        "package_size",
    ],
)


def _day_of_week(week: int) -> pd.Timestamp:
    """Week 53 ends on 2018-01-01, the data set's last day; earlier weeks step back 7 days."""
    return pd.Timestamp("2018-01-01 03:00") - pd.Timedelta(days=7 * (53 - week))
