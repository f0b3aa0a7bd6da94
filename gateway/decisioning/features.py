"""Context and offer features, written as Vowpal Wabbit multi-line (ADF) examples.

One `shared` line describes the member and the moment (namespace U); one line per
candidate offer carries the member's affinity for that offer's category (A) and the
offer itself (O). Continuous signals are cut into bands as well as passed as values:
bands let the model learn shapes a single weight cannot (a lapsed member reacting
differently from a weekly one), and they read well in an explanation.

Without consent to personalization the history features read `withheld` (never a
made-up "never bought" band), so the model learns that case apart; without consent to
profiling the scorer writes no example at all (see `bandit.py`).

Bumping FEATURES_VERSION invalidates saved models, whose weights would otherwise be
read against features they were not trained on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from gateway.decisioning._types import ScoringContext
from gateway.policy.program import MarginPolicy
from gateway.turn import Offer

FEATURES_VERSION = "nbo-features-1"
_UNSAFE = re.compile(r"[^0-9A-Za-z_.-]+")  # VW reserves space, "|" and ":" in feature names


@lru_cache(maxsize=4096)  # the same few hundred tiers, channels and categories, on every request
def token(value: str) -> str:
    return _UNSAFE.sub("_", value.strip()).lower() or "_"


def recency_band(days: int | None) -> str:
    if days is None:
        return "never"
    for limit, band in ((7, "week"), (30, "month"), (90, "quarter")):
        if days <= limit:
            return band
    return "lapsed"


def frequency_band(purchases: int) -> str:
    for limit, band in ((0, "none"), (3, "low"), (12, "mid")):
        if purchases <= limit:
            return band
    return "high"


def daypart(hour: int) -> str:
    for limit, part in ((6, "night"), (12, "morning"), (17, "afternoon"), (22, "evening")):
        if hour < limit:
            return part
    return "night"


def affinity_band(share: float) -> str:
    for limit, band in ((0.0, "none"), (0.1, "low"), (0.3, "mid")):
        if share <= limit:
            return band
    return "high"


WITHHELD = "withheld"


def shared_line(context: ScoringContext) -> str:
    if context.personalised:
        history = (f"rec={recency_band(context.days_since_last_purchase)} "
                   f"freq={frequency_band(context.purchases_last_90_days)}")  # fmt: skip
    else:
        history = f"rec={WITHHELD} freq={WITHHELD}"
    member = f"tier={token(context.tier)} ch={token(context.channel)}"
    return f"shared |U {member} {history} dp={daypart(context.hour)}"


@lru_cache(maxsize=8192)
def _offer_namespace(category: str, department: str, discount_pct: int, gross_pct: int) -> str:
    return (
        f"|O cat={token(category)} dept={token(department)} "
        f"disc={discount_pct // 5 * 5} d:{discount_pct / 100:.3f} m:{gross_pct / 100:.3f}"
    )


def offer_line(context: ScoringContext, offer: Offer, margins: MarginPolicy, label: str = "") -> str:
    gross = margins.departments.get(offer.department, margins.default_gross_margin_pct)
    prefix = f"{label} " if label else ""
    namespace = _offer_namespace(offer.category, offer.department, offer.discount_pct, gross)
    if not context.personalised:
        return f"{prefix}|A aff={WITHHELD} {namespace}"
    share = context.affinity(offer.category)
    return f"{prefix}|A aff={affinity_band(share)} share:{share:.4f} {namespace}"


def example(
    context: ScoringContext,
    offers: Sequence[Offer],
    margins: MarginPolicy,
    labelled: tuple[int, float, float] | None = None,
) -> list[str]:
    """The ADF example; `labelled` is (index of the chosen offer, cost, probability) for learning."""
    lines = [shared_line(context)]
    for i, offer in enumerate(offers):
        label = ""
        if labelled is not None and labelled[0] == i:
            label = f"0:{labelled[1]:.6f}:{labelled[2]:.6f}"
        lines.append(offer_line(context, offer, margins, label))
    return lines
