"""Deterministic rules for the fields the data set does not have (see README.md).

Every "random" choice is a SHA-256 of a fixed salt and the record's own id, so the
same data always gives the same database, on any machine and Python version
(the built-in `hash()` is salted per process and would not).
"""

from __future__ import annotations

import hashlib
import math
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

# A year in the data's week numbers: promotions repeat the same week one year earlier.
YEAR_WEEKS = 52

# Stock per (store, category): 8 in 100 pairs are out of stock; the others hold 1-4
# weeks of their sales (picked per pair), at least one unit.
STOCKOUT_PER_100 = 8
COVER_WEEKS: tuple[int, ...] = (1, 2, 3, 4)


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


def promotion_weeks(last_week: int) -> tuple[int, int]:
    """The data weeks shown as this week and next week on the demo clock.

    The demo's "today" is the day after the data ends, a week the data has no
    promotions for; a retailer's promotional calendar repeats yearly, so this week's
    promotions are those of the same week one year (52 weeks) earlier in the data.
    """
    current = last_week + 1 - YEAR_WEEKS
    return current, current + 1


def stock_units(store_id: str, category: str, lines_per_week: float) -> int:
    """Units in stock, from how many purchase lines a week the store sells in the category."""
    key = f"{store_id}:{category}"
    if stable_bucket("stockout", key, 100) < STOCKOUT_PER_100:
        return 0
    cover = stable_choice("stock-cover", key, COVER_WEEKS)
    return max(1, math.ceil(round(lines_per_week * cover, 6)))


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

    def promotion_days(self, week: int, last_week: int) -> tuple[date, date]:
        """First and last demo day of data week `week` moved one year (52 weeks) forward.

        Data week `last_week` ends on the data's last day, earlier weeks step back 7 days;
        so the week after the data's last week, a year back, starts on `today`.
        """
        data_end = self.data_last_day - timedelta(weeks=last_week - week)
        end = data_end + self.shift + timedelta(weeks=YEAR_WEEKS)
        return end - timedelta(days=6), end
