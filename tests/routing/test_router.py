"""Routing: cheapest route first, in the policy's order; the cache holds no member data."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from gateway.policy.loader import PolicySet
from gateway.policy.routing import RoutingPolicy
from gateway.routing import CacheScope, ExactCache, Router, cache_key
from gateway.smallmodel import IntentModel
from gateway.turn import Channel, ChatMessage, GateAction, RequestMetadata, Route, Turn, Verdict


def turn(text: str, *, earlier: tuple[ChatMessage, ...] = ()) -> Turn:
    t = Turn(Channel.APP, "1", (*earlier, ChatMessage("user", text)), RequestMetadata(), "loyalty")
    t.query = text
    return t


@pytest.fixture
async def redis_client(clean_test_redis: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(clean_test_redis)
    yield client
    await client.aclose()


def build_router(
    policy: RoutingPolicy, intent_model: IntentModel, client: redis.Redis, *, llm: bool
) -> Router:
    version = uuid.uuid4().hex  # a prompt version of its own: no entries from other tests
    return Router(
        policy, intent_model, ExactCache(client, ttl_s=60), llm_available=llm,
        scope_for=lambda t: CacheScope(t.channel.value, t.metadata.locale, version, "p1"),
    )


async def answered(router: Router, text: str, action: GateAction) -> Turn:
    """A turn routed, then judged by the gate with `action`, then remembered."""
    first = turn(text)
    first.route = await router.decide(first)
    first.verdict = Verdict(action, "You are Gold.", (), (), "p1")
    await router.remember(first)
    return first


@pytest.mark.anyio
async def test_a_lookup_question_goes_to_the_small_model_with_its_confidence(
    policies: PolicySet, intent_model: IntentModel, redis_client: redis.Redis
) -> None:
    router = build_router(policies.routing, intent_model, redis_client, llm=True)
    decision = await router.decide(turn("what's my points balance?"))
    assert decision.route is Route.SMALL_MODEL
    assert decision.intent == "points_balance"
    assert decision.confidence is not None and decision.confidence >= 0.5


@pytest.mark.anyio
async def test_an_open_question_goes_to_the_llm_when_one_is_configured(
    policies: PolicySet, intent_model: IntentModel, redis_client: redis.Redis
) -> None:
    router = build_router(policies.routing, intent_model, redis_client, llm=True)
    assert (await router.decide(turn("any tips for a vegetarian lasagna?"))).route is Route.LLM


@pytest.mark.anyio
async def test_without_an_llm_open_questions_fall_back(
    policies: PolicySet, intent_model: IntentModel, redis_client: redis.Redis
) -> None:
    router = build_router(policies.routing, intent_model, redis_client, llm=False)
    decision = await router.decide(turn("any tips for a vegetarian lasagna?"))
    assert decision.route is Route.FALLBACK
    assert decision.reason == "no hosted LLM provider configured"


@pytest.mark.anyio
async def test_a_passed_small_model_answer_is_served_from_the_cache_next_time(
    policies: PolicySet, intent_model: IntentModel, redis_client: redis.Redis
) -> None:
    router = build_router(policies.routing, intent_model, redis_client, llm=True)
    first = await answered(router, "What tier am I?", "pass")
    again = await router.decide(turn("what tier am i"))
    assert again.route is Route.CACHE
    assert again.intent == first.route.intent
    stored = await redis_client.get(again.cache_key or "")
    assert stored is not None and b"Gold" not in stored  # the entry holds no answer text


@pytest.mark.anyio
async def test_a_repaired_answer_is_not_cached(
    policies: PolicySet, intent_model: IntentModel, redis_client: redis.Redis
) -> None:
    router = build_router(policies.routing, intent_model, redis_client, llm=True)
    await answered(router, "What tier am I?", "repaired")
    assert (await router.decide(turn("What tier am I?"))).route is Route.SMALL_MODEL


@pytest.mark.anyio
async def test_later_turns_of_a_conversation_skip_the_cache(
    policies: PolicySet, intent_model: IntentModel, redis_client: redis.Redis
) -> None:
    router = build_router(policies.routing, intent_model, redis_client, llm=True)
    await answered(router, "What tier am I?", "pass")
    earlier = (ChatMessage("user", "hi"), ChatMessage("assistant", "hello"))
    assert (await router.decide(turn("What tier am I?", earlier=earlier))).route is not Route.CACHE


def test_cache_keys_change_with_channel_prompt_and_policy_version() -> None:
    base = CacheScope("app", "en-US", "prompt-1", "policy-1")
    keys = {
        cache_key(base, "what tier am I"),
        cache_key(CacheScope("kiosk", "en-US", "prompt-1", "policy-1"), "what tier am I"),
        cache_key(CacheScope("app", "en-US", "prompt-2", "policy-1"), "what tier am I"),
        cache_key(CacheScope("app", "en-US", "prompt-1", "policy-2"), "what tier am I"),
    }
    assert len(keys) == 4
    assert cache_key(base, "What tier am I?") == cache_key(base, "what  tier am i")
