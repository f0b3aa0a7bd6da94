"""Pick the cheapest route that can answer this turn well.

The exact cache first (no model at all); then the query is embedded once and
the trained route model picks small_model, cache or llm from that vector, the
channel and the context. The same vector then serves the intent model (which
template) or the semantic cache (which shareable answer). A step that cannot
answer hands the turn to the hosted LLM, else the governed fallback; so does an
unsure route prediction. The route's reason names each step taken.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from gateway.exceptions import StoreError
from gateway.policy.routing import RoutingPolicy
from gateway.routing.exact_cache import CachedRoute, CacheScope, ExactCache, cache_key
from gateway.routing.route_model import RouteFeatures, RouteModel, RoutePrediction
from gateway.routing.semantic_cache import (
    EntryKind,
    SemanticCache,
    SemanticHit,
    SemanticScope,
    shareable_answer,
)
from gateway.smallmodel.embedder import Embedder
from gateway.turn import Route, RouteDecision, Turn

OPEN_INTENT = "open"
PENDING_VECTORS = 1024  # query vectors kept from routing to `remember`, per router


class IntentPrediction(Protocol):
    @property
    def intent(self) -> str: ...
    @property
    def confidence(self) -> float: ...


class IntentClassifier(Protocol):
    @property
    def version(self) -> str: ...
    def predict(self, text: str) -> IntentPrediction: ...
    def predict_vector(self, vector: npt.NDArray[np.float32]) -> IntentPrediction: ...


class Router:
    def __init__(
        self,
        policy: RoutingPolicy,
        classifier: IntentClassifier,
        cache: ExactCache,
        *,
        llm_available: bool,
        scope_for: Callable[[Turn], CacheScope],
        route_model: RouteModel,
        embedder: Embedder,
        semantic: SemanticCache | None = None,
    ) -> None:
        self._policy = policy
        self._route_model = route_model
        self._embedder = embedder
        self._classifier = classifier
        self._cache = cache
        self._llm_available = llm_available
        self._scope_for = scope_for
        self._semantic = semantic
        self._vectors: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()

    async def decide(self, turn: Turn) -> RouteDecision:
        key = cache_key(self._scope_for(turn), turn.query)
        if "exact_cache" in self._policy.order:
            hit = await self._from_cache(turn, key)
            if hit is not None:
                return hit
        vectors = await asyncio.to_thread(self._embedder.encode, [turn.query])  # the turn's one embedding
        predicted = self._route_model.predict_vector(vectors[0], RouteFeatures.of_turn(turn))
        served = predicted.served(self._policy.router.min_confidence)
        turn.extra["router"] = self._record(predicted, served)
        decision = await self._follow(turn, served, vectors[0], key)
        return replace(
            decision, reason=f"{self._verdict(predicted, served)}; {decision.reason}",
            confidence=predicted.confidence,
        )

    def _record(self, predicted: RoutePrediction, served: str) -> dict[str, object]:
        """What the audit keeps of the route model's call (`turn.extra["router"]`)."""
        return {
            "model_version": self._route_model.version, "predicted": predicted.route,
            "confidence": predicted.confidence, "served": served,
            "min_confidence": self._policy.router.min_confidence,
        }

    def _verdict(self, predicted: RoutePrediction, served: str) -> str:
        said = f"router: {predicted.route} at {predicted.confidence:.2f}"
        if served == predicted.route:
            return said
        return f"{said} under {self._policy.router.min_confidence:.2f}, safer route {served}"

    async def _follow(
        self, turn: Turn, served: str, vector: npt.NDArray[np.float32], key: str
    ) -> RouteDecision:
        """The step the route model chose, then the LLM or the fallback if it cannot answer."""
        missed = ""
        self.keep_vector(turn, vector)  # a cacheable small-model answer is stored as a template too
        if served == "small_model" and "small_model" in self._policy.order:
            prediction = self._classifier.predict_vector(vector)
            turn.extra["router"].update(
                intent=prediction.intent, intent_confidence=prediction.confidence
            )
            decision = self._from_intent(prediction, key)
            if decision is not None:
                return decision
            missed = f"intent model: {prediction.intent} at {prediction.confidence:.2f}, no template"
        elif served == "cache":
            decision = await self.from_semantic_cache(turn, vector)
            if decision is not None:
                return decision
            missed = "semantic miss" if self._semantic_on(turn) else "no semantic cache for this turn"
        return self._terminal(missed)

    async def remember(self, turn: Turn) -> None:
        """Cache a small-model routing outcome once its answer passed the gate untouched;
        the semantic cache also keeps a shareable hosted-LLM answer."""
        await self._remember_semantic(turn)
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

    async def from_semantic_cache(
        self, turn: Turn, vector: npt.NDArray[np.float32]
    ) -> RouteDecision | None:
        """A paraphrase of an answered question: the shareable answer it got, or None.

        `vector` is the query's unit MiniLM embedding. On a miss it is kept until
        `remember(turn)`, which may store this turn's answer under it."""
        if self._semantic is None or not self._semantic_on(turn):
            return None
        rules = self._policy.semantic_cache
        try:
            hit = await self._semantic.lookup(
                vector, self._semantic_scope(turn), query=turn.query, policy=rules
            )
        except StoreError:
            turn.flags.append("semantic_cache_unavailable")
            return None
        decision = self._semantic_decision(hit) if hit is not None else None
        if decision is None:
            self.keep_vector(turn, vector)
        return decision

    def keep_vector(self, turn: Turn, vector: npt.NDArray[np.float32]) -> None:
        """Keep the query's vector until `remember(turn)`, which may store the answer under it."""
        if not self._semantic_on(turn):
            return
        self._vectors[turn.decision_id] = vector
        while len(self._vectors) > PENDING_VECTORS:
            self._vectors.popitem(last=False)

    def _semantic_on(self, turn: Turn) -> bool:
        # Later turns of a conversation may depend on earlier ones: only a lone question.
        alone = [m.role for m in turn.messages] == ["user"]
        return self._semantic is not None and self._policy.semantic_cache.enabled and alone

    def _semantic_scope(self, turn: Turn) -> SemanticScope:
        return SemanticScope(**asdict(self._scope_for(turn)))

    def _semantic_decision(self, hit: SemanticHit) -> RouteDecision | None:
        if hit.kind == "template" and hit.intent in self._policy.cacheable_intents:
            why, intent, text = "template re-rendered for this member", hit.intent, None
        elif hit.kind == "answer" and hit.text and self._policy.semantic_cache.cache_llm_answers:
            why, intent, text = "shareable answer", None, hit.text
        else:
            return None
        return RouteDecision(
            Route.CACHE, f"semantic cache hit at {hit.similarity:.3f}: {why}", intent=intent,
            similarity=hit.similarity, threshold=hit.threshold, cache_entry_id=hit.entry_id,
            cached_text=text,
        )

    async def _remember_semantic(self, turn: Turn) -> None:
        """Store this turn's answer for paraphrases, when it is safe to share."""
        vector = self._vectors.pop(turn.decision_id, None)
        decision, verdict = turn.route, turn.verdict
        if vector is None or self._semantic is None or decision is None or verdict is None:
            return
        if not verdict.passed or turn.flags:
            return  # an altered answer, or anything flagged on the way, is not reused
        entry = self._semantic_entry(turn)
        if entry is None:
            return
        kind, intent, text = entry
        try:
            await self._semantic.store(
                vector, self._semantic_scope(turn), kind=kind, intent=intent, text=text,
                source_member_id=turn.member_id, query=turn.query, policy=self._policy.semantic_cache,
            )
        except StoreError:
            turn.flags.append("semantic_cache_unavailable")

    def _semantic_entry(self, turn: Turn) -> tuple[EntryKind, str | None, str | None] | None:
        decision, verdict, draft = turn.route, turn.verdict, turn.draft
        assert decision is not None and verdict is not None
        if decision.route is Route.SMALL_MODEL and decision.intent in self._policy.cacheable_intents:
            return ("template", decision.intent, None)
        llm_answer = decision.route is Route.LLM and draft is not None and draft.route is Route.LLM
        if not llm_answer or not self._policy.semantic_cache.cache_llm_answers or turn.context is None:
            return None
        if not shareable_answer(verdict.final_text, turn.context, verdict.offers_rendered):
            return None
        return ("answer", None, verdict.final_text)

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
            f"lookup intent {prediction.intent} at {prediction.confidence:.2f}",
            intent=prediction.intent,
            confidence=prediction.confidence,
            cache_key=key,
        )

    def _terminal(self, missed: str) -> RouteDecision:
        then = f"{missed} -> " if missed else ""
        if "llm" in self._policy.order and self._llm_available:
            return RouteDecision(Route.LLM, f"{then}hosted LLM")
        return RouteDecision(Route.FALLBACK, f"{then}governed fallback: no hosted LLM provider configured")
