"""Routing: the exact cache, then the route model on the turn's one embedding; the cache holds no
member data; an unsure route prediction takes the safe route and the reason says so."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as redis

from gateway.audit import record_from_turn
from gateway.policy.loader import PolicySet
from gateway.policy.routing import RoutingPolicy
from gateway.routing import CacheScope, ExactCache, Router, cache_key
from gateway.routing.route_model import RouteModel
from gateway.smallmodel import Embedder, IntentModel
from gateway.turn import Channel, ChatMessage, GateAction, RequestMetadata, Route, Turn, Verdict


def turn(
    text: str, *, earlier: tuple[ChatMessage, ...] = (), channel: Channel = Channel.APP
) -> Turn:
    t = Turn(channel, "1", (*earlier, ChatMessage("user", text)), RequestMetadata(), "loyalty")
    t.query = text
    return t


def unsure_below(policy: RoutingPolicy, min_confidence: float) -> RoutingPolicy:
    router = policy.router.model_copy(update={"min_confidence": min_confidence})
    return policy.model_copy(update={"router": router})


@pytest.fixture
async def redis_client(clean_test_redis: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(clean_test_redis)
    yield client
    await client.aclose()


@pytest.fixture
def build_router(
    intent_model: IntentModel, route_model: RouteModel, embedder: Embedder, redis_client: redis.Redis
) -> Callable[..., Router]:
    def build(policy: RoutingPolicy, *, llm: bool) -> Router:
        version = uuid.uuid4().hex  # a prompt version of its own: no entries from other tests
        return Router(
            policy, intent_model, ExactCache(redis_client, ttl_s=60), llm_available=llm,
            scope_for=lambda t: CacheScope(t.channel.value, t.metadata.locale, version, "p1"),
            route_model=route_model, embedder=embedder,
        )

    return build


async def answered(router: Router, text: str, action: GateAction) -> Turn:
    """A turn routed, then judged by the gate with `action`, then remembered."""
    first = turn(text)
    first.route = await router.decide(first)
    first.verdict = Verdict(action, "You are Gold.", (), (), "p1")
    await router.remember(first)
    return first


@pytest.mark.anyio
async def test_a_lookup_question_goes_to_the_small_model_with_the_route_models_confidence(
    policies: PolicySet, build_router: Callable[..., Router]
) -> None:
    router = build_router(policies.routing, llm=True)
    asked = turn("what's my points balance?")
    decision = await router.decide(asked)
    assert decision.route is Route.SMALL_MODEL
    assert decision.intent == "points_balance"
    assert decision.confidence == asked.extra["router"]["confidence"] >= 0.6
    assert decision.reason.startswith(f"router: small_model at {decision.confidence:.2f}; ")
    assert "lookup intent points_balance at" in decision.reason
    assert asked.extra["router"]["intent"] == "points_balance"


@pytest.mark.anyio
async def test_a_question_with_the_same_answer_for_everyone_goes_to_the_llm_on_a_cache_miss(
    policies: PolicySet, build_router: Callable[..., Router]
) -> None:
    router = build_router(policies.routing, llm=True)  # no semantic cache: every lookup misses
    decision = await router.decide(turn("what's your return policy?"))
    assert decision.route is Route.LLM
    assert decision.reason.startswith("router: cache at ")
    assert decision.reason.endswith("; no semantic cache for this turn -> hosted LLM")


@pytest.mark.anyio
async def test_an_unsure_route_prediction_takes_the_llm_and_says_why(
    policies: PolicySet, build_router: Callable[..., Router]
) -> None:
    router = build_router(unsure_below(policies.routing, 1.0), llm=True)
    asked = turn("what's my points balance?")
    decision = await router.decide(asked)
    assert decision.route is Route.LLM
    assert "under 1.00, safer route llm" in decision.reason
    assert asked.extra["router"]["predicted"] == "small_model"
    assert asked.extra["router"]["served"] == "llm"


@pytest.mark.anyio
async def test_an_unsure_route_prediction_without_an_llm_gets_the_governed_fallback(
    policies: PolicySet, build_router: Callable[..., Router]
) -> None:
    router = build_router(unsure_below(policies.routing, 1.0), llm=False)
    decision = await router.decide(turn("what tier am I?"))
    assert decision.route is Route.FALLBACK
    assert "safer route llm; governed fallback" in decision.reason


@pytest.mark.anyio
async def test_the_audit_record_names_the_route_models_confidence_and_reason(
    policies: PolicySet, build_router: Callable[..., Router], route_model: RouteModel
) -> None:
    router = build_router(policies.routing, llm=True)
    asked = turn("when does the store close tonight?", channel=Channel.KIOSK)
    asked.route = await router.decide(asked)
    record = record_from_turn(asked, model_version="test")
    assert record.route is not None
    assert record.route.reason == asked.route.reason and record.route.reason.startswith("router: ")
    assert record.route.confidence == asked.extra["router"]["confidence"]
    assert record.extra["router"]["model_version"] == route_model.version


@pytest.mark.anyio
async def test_an_open_question_goes_to_the_llm_when_one_is_configured(
    policies: PolicySet, build_router: Callable[..., Router]
) -> None:
    router = build_router(policies.routing, llm=True)
    assert (await router.decide(turn("any tips for a vegetarian lasagna?"))).route is Route.LLM


@pytest.mark.anyio
async def test_without_an_llm_open_questions_fall_back(
    policies: PolicySet, build_router: Callable[..., Router]
) -> None:
    router = build_router(policies.routing, llm=False)
    decision = await router.decide(turn("any tips for a vegetarian lasagna?"))
    assert decision.route is Route.FALLBACK
    assert decision.reason.startswith("router: llm at ")
    assert decision.reason.endswith("; governed fallback: no hosted LLM provider configured")


@pytest.mark.anyio
async def test_a_passed_small_model_answer_is_served_from_the_cache_next_time(
    policies: PolicySet, build_router: Callable[..., Router], redis_client: redis.Redis
) -> None:
    router = build_router(policies.routing, llm=True)
    first = await answered(router, "What tier am I?", "pass")
    again = await router.decide(turn("what tier am i"))
    assert again.route is Route.CACHE
    assert again.intent == first.route.intent
    stored = await redis_client.get(again.cache_key or "")
    assert stored is not None and b"Gold" not in stored  # the entry holds no answer text


@pytest.mark.anyio
async def test_a_repaired_answer_is_not_cached(
    policies: PolicySet, build_router: Callable[..., Router]
) -> None:
    router = build_router(policies.routing, llm=True)
    await answered(router, "What tier am I?", "repaired")
    assert (await router.decide(turn("What tier am I?"))).route is Route.SMALL_MODEL


@pytest.mark.anyio
async def test_later_turns_of_a_conversation_skip_the_cache(
    policies: PolicySet, build_router: Callable[..., Router]
) -> None:
    router = build_router(policies.routing, llm=True)
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
