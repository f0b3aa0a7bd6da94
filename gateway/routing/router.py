"""Pick the cheapest route that can answer this turn well, in the order the policy gives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from gateway.exceptions import StoreError
from gateway.policy.routing import RouteStep, RoutingPolicy
from gateway.routing.exact_cache import CachedRoute, CacheScope, ExactCache, cache_key
from gateway.turn import Route, RouteDecision, Turn

OPEN_INTENT = "open"


class IntentPrediction(Protocol):
    @property
    def intent(self) -> str: ...
    @property
    def confidence(self) -> float: ...


class IntentClassifier(Protocol):
    @property
    def version(self) -> str: ...
    def predict(self, text: str) -> IntentPrediction: ...


class Router:
    def __init__(
        self,
        policy: RoutingPolicy,
        classifier: IntentClassifier,
        cache: ExactCache,
        *,
        llm_available: bool,
        scope_for: Callable[[Turn], CacheScope],
    ) -> None:
        self._policy = policy
        self._classifier = classifier
        self._cache = cache
        self._llm_available = llm_available
        self._scope_for = scope_for

    async def decide(self, turn: Turn) -> RouteDecision:
        key = cache_key(self._scope_for(turn), turn.query)
        prediction: IntentPrediction | None = None
        for step in self._policy.order:
            if step == "exact_cache":
                decision = await self._from_cache(turn, key)
            elif step == "small_model":
                prediction = await asyncio.to_thread(self._classifier.predict, turn.query)
                decision = self._from_intent(prediction, key)
            else:
                decision = self._terminal(step, prediction)
            if decision is not None:
                return decision
        raise AssertionError("routing policy guarantees a final 'fallback' step")

    async def remember(self, turn: Turn) -> None:
        """Cache a small-model routing outcome once its answer passed the gate untouched."""
        decision, verdict = turn.route, turn.verdict
        if decision is None or verdict is None or decision.route is not Route.SMALL_MODEL:
            return
        if not verdict.passed or decision.intent not in self._policy.cacheable_intents:
            return
        if decision.cache_key is None or decision.confidence is None:
            return
        try:
            await self._cache.put(
                decision.cache_key, CachedRoute(decision.intent, decision.confidence)
            )
        except StoreError:
            turn.flags.append("cache_unavailable")

    async def _from_cache(self, turn: Turn, key: str) -> RouteDecision | None:
        if len([m for m in turn.messages if m.role == "user"]) > 1:
            return None  # later turns of a conversation may depend on earlier ones
        try:
            hit = await self._cache.get(key)
        except StoreError:
            turn.flags.append("cache_unavailable")
            return None
        if hit is None or hit.intent not in self._policy.cacheable_intents:
            return None
        return RouteDecision(
            Route.CACHE,
            "exact cache hit: template re-rendered for this member",
            intent=hit.intent,
            confidence=hit.confidence,
            cache_key=key,
        )

    def _from_intent(self, prediction: IntentPrediction, key: str) -> RouteDecision | None:
        if prediction.intent == OPEN_INTENT:
            return None
        if prediction.confidence < self._policy.small_model_min_confidence:
            return None
        return RouteDecision(
            Route.SMALL_MODEL,
            f"lookup intent {prediction.intent} at confidence {prediction.confidence:.2f}",
            intent=prediction.intent,
            confidence=prediction.confidence,
            cache_key=key,
        )

    def _terminal(
        self, step: RouteStep, prediction: IntentPrediction | None
    ) -> RouteDecision | None:
        intent = prediction.intent if prediction else None
        confidence = prediction.confidence if prediction else None
        if step == "llm":
            if not self._llm_available:
                return None
            return RouteDecision(
                Route.LLM, "open question for the hosted LLM", intent=intent, confidence=confidence
            )
        return RouteDecision(
            Route.FALLBACK,
            "no hosted LLM provider configured",
            intent=intent,
            confidence=confidence,
        )
