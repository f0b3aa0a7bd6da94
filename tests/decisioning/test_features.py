"""What the scorer sees of a member and an offer, and that no name can break an example."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import gateway.decisioning
from gateway.decisioning import (
    ArbitrationPolicy,
    OfferScorer,
    Outcome,
    ScoringContext,
    load_arbitration_policy,
)
from gateway.decisioning.features import (
    affinity_band,
    daypart,
    example,
    frequency_band,
    recency_band,
    token,
)
from gateway.exceptions import ConfigError
from gateway.turn import Member, MemberContext, Purchase, RequestMetadata
from tests.decisioning.support import MARGINS, context, offer


@pytest.mark.parametrize(
    ("days", "band"),
    [(None, "never"), (0, "week"), (7, "week"), (8, "month"), (90, "quarter"), (91, "lapsed")],
)
def test_recency_is_read_in_bands(days: int | None, band: str) -> None:
    assert recency_band(days) == band


def test_frequency_daypart_and_affinity_bands() -> None:
    assert [frequency_band(n) for n in (0, 3, 4, 12, 13)] == ["none", "low", "mid", "mid", "high"]
    assert [daypart(h) for h in (0, 6, 12, 17, 22)] == ["night", "morning", "afternoon", "evening", "night"]
    assert [affinity_band(s) for s in (0.0, 0.05, 0.2, 0.5)] == ["none", "low", "mid", "high"]


def test_names_with_spaces_bars_and_colons_cannot_break_the_example() -> None:
    assert token("FROZEN GROCERY") == "frozen_grocery"
    assert token("BEEF: GROUND | LEAN") == "beef_ground_lean"
    weird = offer("x", category="A|B: C", department="D E")
    shared, line = example(context("d", channel="kiosk | x"), [weird], MARGINS)
    assert shared.count("|") == 1 and "ch=kiosk_x" in shared
    assert line.count("|") == 2 and "cat=a_b_c" in line and "dept=d_e" in line


def test_an_offer_with_an_awkward_category_name_is_scored_like_any_other() -> None:
    s = OfferScorer(policy=ArbitrationPolicy(), margins=MARGINS)
    ranking = s.rank(context("d"), [offer("x", category="A|B: C"), offer("y")])
    assert len(ranking.offers) == 2


def test_the_context_is_derived_from_the_stitched_member_context() -> None:
    now = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    member = Member("1453", "Gold", 1200, 0, date(2026, 12, 1), 3000.0, "Platinum", 2000.0, "367")
    purchases = tuple(
        Purchase(day, "p", "GROCERY", category, 1, 3.5, "367")
        for day, category in ((date(2026, 11, 20), "COFFEE"), (date(2026, 11, 1), "COFFEE"),
                              (date(2026, 6, 1), "BREAD"), (date(2026, 11, 19), "TEA"))
    )  # fmt: skip
    mc = MemberContext(member, purchases, (), None, RequestMetadata(), now)
    ctx = ScoringContext.from_member_context(mc, channel="app", decision_id="dec-9")
    assert (ctx.tier, ctx.channel, ctx.hour, ctx.decision_id) == ("Gold", "app", 18, "dec-9")
    assert ctx.days_since_last_purchase == 3
    assert ctx.purchases_last_90_days == 3
    assert ctx.affinity("COFFEE") == 0.5
    assert ctx.affinity("WINE") == 0.0


def test_exported_names_are_accurate() -> None:
    assert sorted(gateway.decisioning.__all__) == [
        "ArbitrationPolicy",
        "DecisionRecord",
        "FeedbackEvent",
        "FileModelStore",
        "LearnerSettings",
        "ModelStore",
        "OfferScorer",
        "Outcome",
        "Ranking",
        "RedisDecisionLog",
        "RedisModelStore",
        "ScoredOffer",
        "ScoringContext",
        "load_arbitration_policy",
        "margin_cost",
        "ope",
        "value_net",
    ]
    assert all(hasattr(gateway.decisioning, name) for name in gateway.decisioning.__all__)


def test_a_policy_file_is_read_with_its_weights(tmp_path: Path) -> None:
    path = tmp_path / "decisioning.yaml"
    path.write_text(
        "epsilon: 0.1\nchannel_weights: {kiosk: 0.8}\noutcome_rewards: {redeemed: 1.0, clicked: 0.2}\n"
        "learner: {learning_rate: 0.5}\n",
        encoding="utf-8",
    )
    policy, text = load_arbitration_policy(path)
    assert policy.epsilon == 0.1
    assert policy.reward(Outcome.CLICKED) == 0.2
    assert policy.reward(Outcome.DISMISSED) == 0.0
    assert policy.learner.learning_rate == 0.5
    assert "epsilon" in text


def test_a_policy_file_with_an_unknown_key_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "decisioning.yaml"
    path.write_text("epsilon: 0.1\nepsilonn: 0.2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"decisioning.yaml:2: epsilonn"):
        load_arbitration_policy(path)
