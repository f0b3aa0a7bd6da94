"""Offer eligibility: every rule must hold, and the first that fails names the reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from gateway.offers import Ineligibility, eligible_offers, explain_ineligible
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.turn import Member, Offer

TODAY = date(2026, 11, 23)

PROGRAM = ProgramPolicy.model_validate(
    {
        "program_name": "Test Rewards",
        "tiers": [
            {"name": "Bronze", "min_annual_spend": 0, "max_discount_pct": 10},
            {"name": "Silver", "min_annual_spend": 1000, "max_discount_pct": 15},
            {"name": "Gold", "min_annual_spend": 2500, "max_discount_pct": 20},
        ],
        "points": {
            "points_per_dollar": 1,
            "earning_window_weeks": 26,
            "expiring_window_weeks": 4,
            "expiry_days_ahead": 30,
        },
    }
)
# GROCERY may be discounted up to 18%, FUEL not at all, unlisted departments up to 14%.
MARGINS = MarginPolicy(
    assumption="test margins",
    min_margin_after_discount_pct=8,
    default_gross_margin_pct=22,
    departments={"GROCERY": 26, "FUEL": 8},
)


def member(tier: str = "Silver") -> Member:
    return Member("m1", tier, 500, 20, TODAY + timedelta(days=30), 1500.0, "Gold", 1000.0, "10")


def offer(
    offer_id: str = "OFR-1-1",
    *,
    discount: int = 10,
    min_tier: str = "Bronze",
    department: str = "GROCERY",
    valid_until: date = TODAY + timedelta(days=10),
) -> Offer:
    return Offer(offer_id, "Cheese savings", department, "CHEESE", discount, min_tier, valid_until)


def why(o: Offer, m: Member | None = None) -> Ineligibility | None:
    return explain_ineligible(o, m or member(), program=PROGRAM, margins=MARGINS, today=TODAY)


def test_an_offer_within_every_limit_is_eligible() -> None:
    assert why(offer()) is None
    assert eligible_offers([offer()], member(), program=PROGRAM, margins=MARGINS, today=TODAY) == (offer(),)


def test_an_expired_offer_is_not_eligible() -> None:
    assert why(offer(valid_until=TODAY - timedelta(days=1))) == "expired"


def test_an_offer_is_still_eligible_on_its_last_day() -> None:
    assert why(offer(valid_until=TODAY)) is None


def test_a_member_below_the_minimum_tier_is_not_eligible() -> None:
    assert why(offer(min_tier="Gold")) == Ineligibility.TIER_TOO_LOW
    assert why(offer(min_tier="Gold"), member("Gold")) is None


def test_offer_above_member_tier_limit_is_not_eligible() -> None:
    assert why(offer(discount=15), member("Bronze")) == Ineligibility.OVER_TIER_LIMIT
    assert why(offer(discount=15), member("Silver")) is None


def test_offer_above_its_department_margin_floor_is_not_eligible() -> None:
    assert why(offer(discount=20), member("Gold")) == Ineligibility.OVER_MARGIN_FLOOR
    assert why(offer(discount=18), member("Gold")) is None


def test_a_department_without_a_margin_uses_the_default() -> None:
    assert why(offer(discount=15, department="PASTRY"), member("Gold")) == Ineligibility.OVER_MARGIN_FLOOR
    assert why(offer(discount=14, department="PASTRY"), member("Gold")) is None


def test_a_department_with_no_room_for_discount_gets_no_offer() -> None:
    assert why(offer(discount=5, department="FUEL"), member("Gold")) == Ineligibility.OVER_MARGIN_FLOOR


@pytest.mark.parametrize(("offer_tier", "member_tier"), [("Diamond", "Gold"), ("Bronze", "Diamond")])
def test_a_tier_the_program_does_not_know_fails_closed(offer_tier: str, member_tier: str) -> None:
    assert why(offer(min_tier=offer_tier), member(member_tier)) == Ineligibility.UNKNOWN_TIER


def test_the_first_failing_rule_is_the_reason() -> None:
    everything_wrong = offer(discount=30, min_tier="Gold", valid_until=TODAY - timedelta(days=1))
    assert why(everything_wrong, member("Bronze")) == Ineligibility.EXPIRED
    assert why(replace(everything_wrong, valid_until=TODAY), member("Bronze")) == Ineligibility.TIER_TOO_LOW


def test_reason_codes_are_stable_strings() -> None:
    assert [str(code) for code in Ineligibility] == [
        "expired",
        "unknown_tier",
        "tier_too_low",
        "over_tier_limit",
        "over_margin_floor",
    ]


def test_eligible_offers_come_largest_discount_first_then_by_id() -> None:
    offers = [
        offer("OFR-3", discount=5),
        offer("OFR-2", discount=15),
        offer("OFR-1", discount=5),
        offer("OFR-4", discount=15, min_tier="Gold"),
        offer("OFR-5", discount=10, valid_until=TODAY - timedelta(days=1)),
    ]
    kept = eligible_offers(offers, member("Silver"), program=PROGRAM, margins=MARGINS, today=TODAY)
    assert [o.offer_id for o in kept] == ["OFR-2", "OFR-1", "OFR-3"]


def test_no_offers_give_no_eligible_offers() -> None:
    assert eligible_offers([], member(), program=PROGRAM, margins=MARGINS, today=TODAY) == ()

