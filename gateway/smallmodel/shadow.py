"""Shadow predictions: a candidate intent model runs on live turns but never answers.

After the turn's route is decided, the registry's shadow (if any) predicts the
same question; the result goes into the turn's audit record
(`turn.extra["shadow"]`) and a Prometheus counter of agreement with the intent
the turn was routed on. A failing shadow is flagged, never a reason to withhold
the answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass

from prometheus_client import CollectorRegistry, Counter

from gateway.exceptions import ModelError
from gateway.smallmodel.intent import IntentModel
from gateway.smallmodel.registry import ModelRegistry
from gateway.turn import Turn


@dataclass(frozen=True)
class ShadowResult:
    candidate: str  # the shadow's version
    serving: str  # the version the turn was routed with
    intent: str
    confidence: float
    routed_intent: str
    agrees: bool


def shadow_counter(registry: CollectorRegistry) -> Counter:
    return Counter(
        "gateway_shadow_predictions_total",
        "Shadow intent predictions, by candidate version and agreement with the routed intent",
        ["candidate", "agrees"],
        registry=registry,
    )


class ShadowObserver:
    """The pipeline's shadow hook: `await observer(turn)` after routing."""

    def __init__(self, models: ModelRegistry, counter: Counter | None = None) -> None:
        self._models = models
        self._counter = counter

    async def __call__(self, turn: Turn) -> None:
        candidate = self._models.shadow
        route = turn.route
        if candidate is None or route is None or route.intent is None or not turn.query:
            return  # nothing to compare with (e.g. a blocked attack never reached the model)
        try:
            result = await asyncio.to_thread(
                _predict, candidate, turn.query, route.intent, self._models.version
            )
        except (ModelError, RuntimeError, ValueError) as e:
            turn.flags.append("shadow_failed")
            turn.extra["shadow"] = {"candidate": candidate.version, "error": str(e)}
            return
        turn.extra["shadow"] = asdict(result)
        if self._counter is not None:
            self._counter.labels(candidate=result.candidate, agrees=str(result.agrees).lower()).inc()


def _predict(candidate: IntentModel, query: str, routed_intent: str, serving: str) -> ShadowResult:
    prediction = candidate.predict(query)
    return ShadowResult(
        candidate=candidate.version,
        serving=serving,
        intent=prediction.intent,
        confidence=round(prediction.confidence, 4),
        routed_intent=routed_intent,
        agrees=prediction.intent == routed_intent,
    )
