"""Deterministic rules for the fields the data set does not have (see README.md).

Every "random" choice is a SHA-256 of a fixed salt and the record's own id, so the
same data always gives the same database, on any machine and Python version
(the built-in `hash()` is salted per process and would not).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

T = TypeVar("T")

SALT = "complete-rewards-demo-v1"

# Offer discounts before any cap; the smallest step is also the least worth offering.
DISCOUNT_STEPS: tuple[int, ...] = (5, 10, 15, 20, 25, 30)
MIN_OFFER_DISCOUNT = DISCOUNT_STEPS[0]

# Campaign type → rank of the lowest tier that may use its offers (0 = first tier).
# Type A campaigns carry by far the most coupons (about 200 per campaign, against 16-19
# for B and C), so they go to the upper tiers; in the demo program: A → Gold, B → Silver,
# C → Bronze.
CAMPAIGN_TYPE_TIER_RANK: dict[str, int] = {"Type A": 2, "Type B": 1, "Type C": 0}

# (opens, closes, share of stores in tenths): 7 in 10 stores keep standard hours.
STORE_HOURS: tuple[tuple[str, str, int], ...] = (
    ("07:00", "22:00", 7),
    ("06:00", "24:00", 2),
    ("08:00", "21:00", 1),
)

MAX_OFFERS_PER_MEMBER = 20


def stable_bucket(kind: str, key: str, buckets: int) -> int:
    """A number in [0, buckets) that depends only on `kind` and `key`."""
    digest = hashlib.sha256(f"{SALT}:{kind}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % buckets


def stable_choice(kind: str, key: str, options: Sequence[T]) -> T:
    return options[stable_bucket(kind, key, len(options))]


def raw_discount_pct(coupon_upc: str) -> int:
    """The discount a coupon would carry before the margin and tier caps."""
    return stable_choice("discount", coupon_upc, DISCOUNT_STEPS)


def store_hours(store_id: str) -> tuple[str, str]:
    tenth = stable_bucket("hours", store_id, 10)
    for opens, closes, share in STORE_HOURS:
        if tenth < share:
            return opens, closes
        tenth -= share
    raise AssertionError("STORE_HOURS shares must add up to 10")


def hours_text(opens: str, closes: str) -> str:
    return f"daily {opens}-{closes}"


def min_tier_rank(campaign_type: str, tier_count: int) -> int:
    """Unknown campaign types are treated as the most exclusive (fail closed)."""
    rank = CAMPAIGN_TYPE_TIER_RANK.get(campaign_type, tier_count - 1)
    return min(rank, tier_count - 1)


@dataclass(frozen=True)
class DemoClock:
    """Shifts the data set's dates so that its last day is yesterday.

    The data covers 2017; shifted, a member's history looks recent in a demo
    ("you bought milk last Tuesday") while all intervals between events stay exact.
    """

    today: date
    data_last_day: date

    @property
    def shift(self) -> timedelta:
        return (self.today - timedelta(days=1)) - self.data_last_day

    @property
    def shift_days(self) -> int:
        return self.shift.days
