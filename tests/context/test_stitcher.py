"""Context stitching: live member facts and only eligible offers reach the prompt."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as redis

from gateway.context.prompts import PromptRegistry
from gateway.context.stitcher import ContextStitcher
from gateway.members import SqliteMemberStore
from gateway.offers import FrequencyCaps, PolicyOfferDecider
from gateway.policy.loader import PolicySet
from gateway.settings import PROJECT_ROOT
from gateway.turn import Channel, ChatMessage, RequestMetadata, Turn

NOW = datetime.now(UTC)


@pytest.fixture(scope="session")
def member_ids(seeded_db: Path) -> list[str]:
    with sqlite3.connect(seeded_db) as db:
        return [str(r[0]) for r in db.execute("SELECT member_id FROM members ORDER BY member_id")]


@pytest.fixture
async def store(seeded_db: Path) -> AsyncIterator[SqliteMemberStore]:
    members = SqliteMemberStore(seeded_db)
    yield members
    await members.close()


@pytest.fixture
async def caps(clean_test_redis: str) -> AsyncIterator[FrequencyCaps]:
    client = redis.Redis.from_url(clean_test_redis)
    yield FrequencyCaps(client, key_prefix=f"lg:cap:test:{uuid.uuid4().hex}:")
    await client.aclose()


@pytest.fixture
def stitcher(store: SqliteMemberStore, policies: PolicySet, caps: FrequencyCaps) -> ContextStitcher:
    offers = PolicyOfferDecider(policies.program, policies.margins, policies.offers, store=store, caps=caps)
    return ContextStitcher(store, PromptRegistry(PROJECT_ROOT / "prompts"), offers, clock=lambda: NOW)


def turn_for(member_id: str, store_id: str | None = None) -> Turn:
    return Turn(Channel.APP, member_id, (ChatMessage("user", "anything new for me?"),),
                RequestMetadata(store_id=store_id, weather="light rain"), "loyalty")


@pytest.mark.anyio
async def test_the_context_holds_the_members_own_facts_and_eligible_offers(
    store: SqliteMemberStore, policies: PolicySet, member_ids: list[str], stitcher: ContextStitcher
) -> None:
    member_id = await first_with_offers(store, member_ids)
    context, _ = await stitcher.build(turn_for(member_id))
    assert context.member.member_id == member_id
    assert context.recent_purchases
    tier = policies.program.tier(context.member.tier)
    assert all(o.discount_pct <= tier.max_discount_pct for o in context.offers)
    assert context.store is not None and context.store.store_id == context.member.home_store_id


@pytest.mark.anyio
async def test_the_channels_store_wins_over_the_home_store(
    store: SqliteMemberStore, member_ids: list[str], seeded_db: Path, stitcher: ContextStitcher
) -> None:
    member = await store.get_member(member_ids[0])
    with sqlite3.connect(seeded_db) as db:
        (other,) = db.execute("SELECT store_id FROM stores WHERE store_id != ? LIMIT 1",
                              (member.home_store_id,)).fetchone()
    context, _ = await stitcher.build(turn_for(member.member_id, store_id=str(other)))
    assert context.store is not None and context.store.store_id == str(other)


@pytest.mark.anyio
async def test_the_system_prompt_names_offers_only_by_marker(
    store: SqliteMemberStore, member_ids: list[str], stitcher: ContextStitcher
) -> None:
    member_id = await first_with_offers(store, member_ids)
    s = stitcher
    turn = turn_for(member_id)
    context, _ = await s.build(turn)
    prompt = s.prompt_for(turn, context)
    system = prompt.messages[0].content
    assert prompt.messages[0].role == "system" and prompt.messages[-1].content == "anything new for me?"
    assert f"tier: {context.member.tier}" in system and "light rain" in system
    for offer in context.offers:
        assert f"[[offer:{offer.offer_id}]]" in system
        assert f"{offer.discount_pct}%" not in system  # terms are rendered by the gate, not the model
    assert len(prompt.version) == 16


async def first_with_offers(store: SqliteMemberStore, member_ids: list[str]) -> str:
    for member_id in member_ids:
        if await store.targeted_offers(member_id):
            return member_id
    raise AssertionError("the seeded subset has no member with offers")
