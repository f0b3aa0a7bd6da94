"""What the stitcher adds to a turn: weather, promotions, knowledge, complements, within
consent and a token budget, and what the audit keeps of it."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as redis

from gateway.consent import EVERYTHING_ALLOWED, ConsentDecision, Purpose
from gateway.context.complements import CatalogVectors
from gateway.context.knowledge import KnowledgeBase
from gateway.context.prompts import PromptRegistry
from gateway.context.snapshot import context_from_snapshot, context_snapshot
from gateway.context.stitcher import ContextSources, ContextStitcher
from gateway.events import HotProfile
from gateway.events._profile import RecentItem, StoreVisit
from gateway.members import SqliteMemberStore
from gateway.offers import FrequencyCaps, PolicyOfferDecider
from gateway.policy.loader import PolicySet
from gateway.settings import PROJECT_ROOT
from gateway.turn import Channel, ChatMessage, MemberContext, RequestMetadata, Turn

NOW = datetime.now(UTC)
QUESTION = "when do my points expire?"
Make = Callable[..., ContextStitcher]
PRICE = re.compile(r"[$%€£]|\bfree\b", re.IGNORECASE)


class FixedConsent:
    """A consent decision as the resolver would return it for this member."""

    def __init__(self, decision: ConsentDecision) -> None:
        self.decision = decision

    async def decide(self, member_id: str, metadata: RequestMetadata) -> ConsentDecision:
        return self.decision


def refusing(*purposes: Purpose) -> FixedConsent:
    return FixedConsent(ConsentDecision(
        allowed=frozenset(Purpose) - set(purposes), refused_because={p: "member_opt_out" for p in purposes}
    ))


class Profiles:
    """Hot profiles as `HotProfiles.get` returns them."""

    def __init__(self, profile: HotProfile | None = None) -> None:
        self.profile = profile

    async def get(self, member_id: str) -> HotProfile:
        return self.profile or HotProfile(member_id)


@pytest.fixture
async def caps(clean_test_redis: str) -> AsyncIterator[FrequencyCaps]:
    client = redis.Redis.from_url(clean_test_redis)
    yield FrequencyCaps(client, key_prefix=f"lg:cap:test:{uuid.uuid4().hex}:")
    await client.aclose()


@pytest.fixture
def make(
    member_store: SqliteMemberStore, policies: PolicySet, caps: FrequencyCaps,
    knowledge: KnowledgeBase, catalog: CatalogVectors,
) -> Make:
    def stitcher(profile: HotProfile | None = None, **options: object) -> ContextStitcher:
        decider = PolicyOfferDecider(
            policies.program, policies.margins, policies.offers, store=member_store, caps=caps
        )
        sources = replace(ContextSources(knowledge=knowledge, catalog=catalog, token_budget=2000), **options)
        return ContextStitcher(
            member_store, PromptRegistry(PROJECT_ROOT / "prompts"), decider, clock=lambda: NOW,
            live=Profiles(profile), sources=sources,
        )

    return stitcher


@pytest.fixture(scope="module")
def busy_member(seeded_db: Path) -> str:
    """A member with a long history whose home store has promotions."""
    with sqlite3.connect(seeded_db) as db:
        row = db.execute(
            "SELECT m.member_id FROM members AS m WHERE EXISTS"
            " (SELECT 1 FROM promotions AS p WHERE p.store_id = m.home_store_id)"
            " ORDER BY m.annual_spend DESC LIMIT 1"
        ).fetchone()
    return str(row[0])


def turn_for(member_id: str, **metadata: object) -> Turn:
    meta = RequestMetadata(**{"weather": "light rain", "location": "Chicago", **metadata})  # type: ignore[arg-type]
    return Turn(Channel.APP, member_id, (ChatMessage("user", QUESTION),), meta, "loyalty", query=QUESTION)


def sections(context: MemberContext) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for fact in context.facts:
        found.setdefault(fact.section, []).append(fact.fact_id)
    return found


@pytest.mark.anyio
async def test_every_source_reaches_the_prompt(make: Make, busy_member: str) -> None:
    stitcher = make()
    turn = turn_for(busy_member)
    context, _ = await stitcher.build(turn)
    found = sections(context)
    assert found["weather"] == ["weather"]
    assert "knowledge:terms#points-expiry" in found["knowledge"]
    assert found["promotions"] and found["complements"]
    system = stitcher.prompt_for(turn, context).messages[0].content
    assert "weather: light rain" in system
    assert "In store this week" in system and "go with this member's recent basket" in system
    assert "Points earned in the oldest 4 weeks" in system
    for fact in context.facts:
        assert fact.text in system


@pytest.mark.anyio
async def test_promotions_and_complements_never_carry_a_price(make: Make, busy_member: str) -> None:
    context, _ = await make(promotions_in_context=20, complements_in_context=10).build(turn_for(busy_member))
    shown = [f.text for f in context.facts if f.section in ("promotions", "complements")]
    assert len(shown) > 10
    assert not [text for text in shown if PRICE.search(text) or re.search(r"\d", text)]


@pytest.mark.anyio
async def test_complements_leave_out_the_categories_just_bought(make: Make, busy_member: str) -> None:
    profile = HotProfile(busy_member, recent_items=(RecentItem("1", NOW, category="SOFT DRINKS"),))
    context, _ = await make(profile, complements_in_context=10).build(turn_for(busy_member))
    bought = {p.category.lower() for p in context.recent_purchases} | {"soft drinks"}
    shown = [f.text for f in context.facts if f.section == "complements"]
    assert shown
    assert not [text for text in shown if text.rsplit("(", 1)[1].rstrip(")") in bought]


@pytest.mark.anyio
async def test_promotions_never_name_what_policy_never_promotes(make: Make, busy_member: str) -> None:
    first, _ = await make().build(turn_for(busy_member))
    top = next(f for f in first.facts if f.section == "promotions").fact_id.removeprefix("promotion:")
    again, _ = await make(never_suggest_categories=frozenset({top.upper()})).build(turn_for(busy_member))
    assert f"promotion:{top}" not in {f.fact_id for f in again.facts}


@pytest.mark.anyio
async def test_refused_personalization_removes_history_moments_complements_and_targeting(
    make: Make, busy_member: str, member_store: SqliteMemberStore
) -> None:
    profile = HotProfile(busy_member, recent_items=(RecentItem("1", NOW, category="SOFT DRINKS"),))
    turn = turn_for(busy_member)
    stitcher = make(profile, consent=refusing(Purpose.PERSONALIZATION))
    context, _ = await stitcher.build(turn)
    assert context.recent_purchases == () and not any("just bought" in m for m in context.moments)
    assert "complements" not in sections(context)
    general = {o.offer_id for o in await member_store.general_offers()}
    assert {o.offer_id for o in context.offers} <= general
    assert not [i for i in context.facts_used if i.startswith(("purchase:", "complement:", "moment:"))]
    system = stitcher.prompt_for(turn, context).messages[0].content
    assert "recent purchases" not in system and "soft drinks" not in system
    audit = context_snapshot(context)
    assert audit["consent"]["refused"] == {"personalization": "member_opt_out"}


@pytest.mark.anyio
async def test_refused_location_ignores_the_store_entered_the_location_and_the_weather(
    make: Make, busy_member: str, member_store: SqliteMemberStore
) -> None:
    member = await member_store.get_member(busy_member)
    elsewhere = "999" if member.home_store_id != "999" else "998"
    profile = HotProfile(busy_member, last_store=StoreVisit(elsewhere, NOW - timedelta(minutes=5)))
    turn = turn_for(busy_member)
    allowed, _ = await make(profile).build(turn)
    assert allowed.moments and "entered store" in allowed.moments[0]
    stitcher = make(profile, consent=refusing(Purpose.LOCATION))
    context, _ = await stitcher.build(turn)
    assert context.store is not None and context.store.store_id == member.home_store_id
    assert context.metadata.location is None and context.metadata.weather is None
    assert "weather" not in sections(context) and not context.moments
    system = stitcher.prompt_for(turn, context).messages[0].content
    assert "light rain" not in system and "entered store" not in system and "Chicago" not in system
    assert context_snapshot(context)["consent"]["refused"] == {"location": "member_opt_out"}


@pytest.mark.anyio
async def test_a_tight_budget_drops_the_least_useful_facts_and_the_audit_names_them(
    make: Make, busy_member: str
) -> None:
    turn = turn_for(busy_member)
    roomy, _ = await make().build(turn)
    stitcher = make(token_budget=150)
    tight, _ = await stitcher.build(turn)
    assert set(tight.facts_used) | set(tight.facts_dropped) == set(roomy.facts_used)
    assert tight.facts_dropped[0].startswith("purchase:")  # the oldest purchase goes first
    kept = set(tight.facts_used)
    assert {"member:tier", "member:points"} <= kept
    assert all(f"offer:{o.offer_id}" in kept for o in tight.offers)
    if "knowledge:terms#points-expiry" in tight.facts_dropped:
        assert not [i for i in kept if i.startswith(("purchase:", "promotion:", "complement:"))]
    audit = context_snapshot(tight)["context_facts"]
    assert audit == {"used": list(tight.facts_used), "dropped": list(tight.facts_dropped)}
    system = stitcher.prompt_for(turn, tight).messages[0].content
    shown = [f"{p.product} ({p.category.lower()})" for i, p in enumerate(tight.recent_purchases)
             if f"purchase:{i}" in kept]
    line = next((x for x in system.splitlines() if x.startswith("- recent purchases:")), "")
    assert line == ("- recent purchases: " + ", ".join(shown) if shown else "")


@pytest.mark.anyio
async def test_the_snapshot_keeps_facts_and_consent_for_replay(make: Make, busy_member: str) -> None:
    context, _ = await make(consent=refusing(Purpose.PROFILING)).build(turn_for(busy_member))
    back = context_from_snapshot(context_snapshot(context))
    assert back.consent == context.consent
    assert back.facts_used == context.facts_used and back.facts_dropped == context.facts_dropped
    assert [(f.fact_id, f.text) for f in back.facts] == [(f.fact_id, f.text) for f in context.facts]


def test_an_old_snapshot_without_facts_or_consent_still_loads() -> None:
    old = {
        "member": {"member_id": "1", "tier": "Gold", "points": 5, "points_expiring": 0,
                   "points_expire_on": "2026-01-01", "annual_spend": 1.0, "next_tier": None,
                   "spend_to_next_tier": 0.0, "home_store_id": None},
        "offers": [], "store": None, "metadata": {}, "now": NOW.isoformat(),
    }
    context = context_from_snapshot(old)
    assert context.consent == EVERYTHING_ALLOWED and context.facts == () and context.facts_used == ()
