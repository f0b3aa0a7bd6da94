"""What a store tablet may show about a member: built from policy-listed facts only."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.clienteling import ClientSummary, build_summary, mask_member_id
from gateway.policy.offers import EligibilityRules
from gateway.policy.program import ClientelingRule
from gateway.turn import Member, Offer, Purchase

RULE = ClientelingRule(top_tiers=("Gold", "Platinum"), max_summary_chars=280,
                       facts=("tier", "interests", "suggested_item", "offer"), interests=3)
NEVER = EligibilityRules(min_days_active=0, excluded_departments=("SPIRITS",),
                         excluded_categories=("CIGARETTES", "LIQUOR"))
MEMBER = Member("104453", "Platinum", points=6911, points_expiring=120, points_expire_on=date(2026, 12, 1),
                annual_spend=7321.55, next_tier=None, spend_to_next_tier=0.0, home_store_id="367",
                age_band="45-54", income_band="100-124K")
OFFER = Offer("OFR-1", "Cheese savings", "DAIRY", "CHEESE", 18, "Gold", date(2027, 1, 9))


def bought(product: str, category: str, department: str = "GROCERY") -> Purchase:
    return Purchase(date(2026, 11, 1), product, department, category, 1, 3.99, "367")


HISTORY = (
    bought("Cream Cheese (National brand)", "CHEESE"),
    bought("Whiskey (National brand)", "LIQUOR", "SPIRITS"),
    bought("Potato Chips (National brand)", "BAG SNACKS"),
    bought("Cream Cheese (National brand)", "CHEESE"),
    bought("Cigarettes (National brand)", "CIGARETTES", "DRUG GM"),
    bought("Cigarettes (National brand)", "CIGARETTES", "DRUG GM"),
    bought("Cigarettes (National brand)", "CIGARETTES", "DRUG GM"),
)


def summary(rule: ClientelingRule = RULE, live: tuple[str, ...] = ()) -> ClientSummary:
    return build_summary(MEMBER, rule=rule, purchases=HISTORY, live_categories=live, offers=(OFFER,),
                         not_suggested=NEVER)


def test_the_member_id_is_masked_to_its_last_two_characters() -> None:
    assert mask_member_id("104453") == "…53"
    assert mask_member_id("7") == "…"
    assert summary().member_ref == "…53"


def test_interests_are_the_newest_categories_first_what_was_just_bought_leading() -> None:
    assert summary(live=("SOFT DRINKS",)).interests == ("soft drinks", "cheese", "bag snacks")


def test_categories_the_program_never_promotes_are_never_an_interest_or_a_suggestion() -> None:
    shown = summary(live=("CIGARETTES",))
    assert "cigarettes" not in shown.interests and "liquor" not in shown.interests
    assert shown.suggested_item == "Cream Cheese (National brand), cheese"


def test_the_text_has_no_points_spend_or_bands_and_names_the_offer_by_marker() -> None:
    text = summary().draft(280)
    for secret in ("6911", "6,911", "7321", "7,321", "45-54", "100-124K", "104453"):
        assert secret not in text
    assert "[[offer:OFR-1]]" in text and "Platinum" in text


def test_a_long_summary_drops_the_item_then_the_interests_and_keeps_member_tier_and_offer() -> None:
    full = summary()
    shown_offer = len(OFFER.render())
    short = full.draft(len("Member …53, Platinum tier. Offer to mention: ") + shown_offer + 5)
    assert "Buys again" not in short and "interests" not in short
    assert short.endswith("[[offer:OFR-1]]")
    assert full.draft(40) == "Member …53, Platinum tier."


@pytest.mark.parametrize("fact", ["tier", "interests", "suggested_item", "offer"])
def test_a_fact_the_policy_does_not_list_is_not_shown(fact: str) -> None:
    facts = tuple(f for f in RULE.facts if f != fact)
    shown = summary(RULE.model_copy(update={"facts": facts})).facts()
    key = "offer_id" if fact == "offer" else fact
    assert shown[key] in (None, [])
