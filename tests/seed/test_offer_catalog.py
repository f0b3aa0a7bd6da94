"""Offers: one per coupon and campaign, discounts within every cap, targeted by campaign."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from gateway.offers import eligible_offers
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.seed import SourceTables
from gateway.turn import Member, Offer

from .conftest import TODAY, Seeded, query, seed_tiny, tiny_source

DISCOUNT_STEPS = {5, 10, 15, 20, 25, 30}


def offers(path: Path) -> list[Offer]:
    return [
        Offer(
            offer_id=r["offer_id"],
            title=r["title"],
            department=r["department"],
            category=r["category"],
            discount_pct=r["discount_pct"],
            min_tier=r["min_tier"],
            valid_until=date.fromisoformat(r["valid_until"]),
        )
        for r in query(path, "SELECT * FROM offers")
    ]


def test_there_is_one_offer_per_coupon_and_campaign(seeded: Seeded, source: SourceTables) -> None:
    pairs = source.coupons[["coupon_upc", "campaign_id"]].drop_duplicates()
    expected = {f"OFR-{upc}-{cid}" for upc, cid in pairs.itertuples(index=False)}
    assert {o.offer_id for o in offers(seeded.path)} == expected


def test_no_seeded_offer_breaks_its_department_margin_floor(seeded: Seeded, margins: MarginPolicy) -> None:
    for offer in offers(seeded.path):
        assert 5 <= offer.discount_pct <= margins.max_discount_pct(offer.department), offer


def test_no_seeded_offer_exceeds_what_its_minimum_tier_may_get(
    seeded: Seeded, program: ProgramPolicy
) -> None:
    for offer in offers(seeded.path):
        assert offer.discount_pct <= program.tier(offer.min_tier).max_discount_pct, offer


def test_a_discount_is_a_multiple_of_five_unless_a_cap_cut_it(
    seeded: Seeded, program: ProgramPolicy, margins: MarginPolicy
) -> None:
    for offer in offers(seeded.path):
        cap = min(margins.max_discount_pct(offer.department), program.tier(offer.min_tier).max_discount_pct)
        assert offer.discount_pct in DISCOUNT_STEPS or offer.discount_pct == cap, offer


def test_minimum_tier_follows_the_campaign_type(seeded: Seeded) -> None:
    rows = query(seeded.path, "SELECT DISTINCT campaign_type, min_tier FROM offers")
    assert dict((r[0], r[1]) for r in rows) == {"Type A": "Gold", "Type B": "Silver", "Type C": "Bronze"}


def test_an_offer_is_valid_for_its_campaigns_duration(seeded: Seeded, source: SourceTables) -> None:
    campaigns = source.campaign_descriptions.set_index("campaign_id")
    for row in query(seeded.path, "SELECT campaign_id, valid_until FROM offers"):
        campaign = campaigns.loc[row["campaign_id"]]
        days = (campaign["end_date"] - campaign["start_date"]).days
        assert row["valid_until"] == (TODAY + timedelta(days=days)).isoformat()


def test_every_seeded_offer_is_eligible_for_the_top_tier_today(
    seeded: Seeded, program: ProgramPolicy, margins: MarginPolicy
) -> None:
    top = program.tiers[-1].name
    member = Member("x", top, 0, 0, TODAY, 0.0, None, 0.0, None)
    catalog = offers(seeded.path)
    assert len(eligible_offers(catalog, member, program=program, margins=margins, today=TODAY)) == len(
        catalog
    )


def test_members_get_at_most_twenty_offers_only_from_campaigns_they_received(
    seeded: Seeded, source: SourceTables
) -> None:
    received = {
        (str(h), c) for c, h in source.campaigns[["campaign_id", "household_id"]].itertuples(index=False)
    }
    rows = query(
        seeded.path,
        "SELECT t.member_id, t.rank, o.campaign_id FROM offer_targets t JOIN offers o USING (offer_id)",
    )
    assert rows
    assert all((r["member_id"], r["campaign_id"]) in received for r in rows)
    per_member = query(
        seeded.path, "SELECT max(n) FROM (SELECT count(*) AS n FROM offer_targets GROUP BY member_id)"
    )
    assert per_member[0][0] == 20


def tiny_campaign_source() -> SourceTables:
    """Household 1 bought cheese (product 1) and tomatoes (3), mostly cheese; it received
    campaign 7 (Type C), which has coupons for cheese, tomatoes, fuel and drug store items."""
    return tiny_source(
        {1: [(50, 40.0, 1), (51, 5.0, 3), (53, 1.0, 1)]},
        coupons=[(111, 3, 7), (222, 1, 7), (222, 2, 7), (333, 4, 7), (444, 5, 7)],
        campaigns=[(7, "Type C", 30)],
        received=[(7, 1)],
    )


def test_coupon_discount_is_capped_at_the_margin_and_the_tier_limit(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    seed_tiny(tmp_path / "db", tiny_campaign_source(), tiny_program, tiny_margins)
    by_category = {o.category: o for o in offers(tmp_path / "db")}
    # Type C → Bronze, whose limit (10%) is below every margin cap here but fuel's (0%).
    assert {o.min_tier for o in by_category.values()} == {"Bronze"}
    assert all(o.discount_pct <= 10 for o in by_category.values())
    assert "GASOLINE" not in by_category  # fuel allows no discount: no offer at all
    assert by_category["CHEESE"].title == "Cheese savings"
    assert by_category["DRUG GM"].department == "DRUG GM"  # no category: the department stands in


def test_targeted_offers_prefer_categories_the_member_bought(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    seed_tiny(tmp_path / "db", tiny_campaign_source(), tiny_program, tiny_margins)
    rows = query(
        tmp_path / "db",
        "SELECT o.category FROM offer_targets t JOIN offers o USING (offer_id)"
        " WHERE member_id = '1' ORDER BY rank",
    )
    assert [r[0] for r in rows][:2] == ["CHEESE", "TOMATOES"]
