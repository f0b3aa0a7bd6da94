"""Measure a stage: a child span, a histogram observation and the turn's timings_ms."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.trace import Span, Tracer, use_span

from gateway.monitoring.metrics import GatewayMetrics
from gateway.monitoring.telemetry import turn_attributes
from gateway.turn import Route, Turn

CHARS_PER_TOKEN = 4.0  # a rough English average; evals/routing counts real tokens for its cost figures


class StageRecorder:
    def __init__(self, tracer: Tracer, metrics: GatewayMetrics) -> None:
        self._tracer = tracer
        self._metrics = metrics

    @contextmanager
    def turn(self, turn: Turn) -> Iterator[Span]:
        """The root span of one request; attributes are set when the turn is done."""
        with self._tracer.start_as_current_span("gateway.turn") as span:
            try:
                yield span
            finally:
                span.set_attributes(turn_attributes(turn))

    @contextmanager
    def stage(self, turn: Turn, name: str) -> Iterator[None]:
        span = self._tracer.start_span(f"gateway.{name}")
        start = time.perf_counter()
        try:
            with use_span(span, end_on_exit=True):
                yield
        finally:
            elapsed = time.perf_counter() - start
            turn.timings_ms[name] = round(elapsed * 1000, 3)
            self._metrics.stage_seconds.labels(stage=name).observe(elapsed)

    def finished(self, turn: Turn) -> None:
        route = turn.route.route.value if turn.route else "none"
        action = turn.verdict.action if turn.verdict else "none"
        self._metrics.turns.labels(channel=turn.channel.value, route=route, action=action).inc()
        for violation in turn.verdict.violations if turn.verdict else ():
            self._metrics.violations.labels(code=violation.code).inc()
        self._route_metrics(turn, route)

    def _route_metrics(self, turn: Turn, route: str) -> None:
        """Latency and (for the hosted LLM) estimated tokens per route; the route model's call."""
        seconds = sum(turn.timings_ms.get(stage, 0.0) for stage in ("routing", "generation")) / 1000
        self._metrics.route_seconds.labels(route=route).observe(seconds)
        router = turn.extra.get("router")
        if isinstance(router, dict):
            predicted, served = str(router.get("predicted")), str(router.get("served"))
            self._metrics.router_predictions.labels(
                channel=turn.channel.value, predicted=predicted, served=served
            ).inc()
        if turn.prompt is not None and turn.draft is not None and turn.draft.route is Route.LLM:
            prompt_chars = sum(len(m.content) for m in turn.prompt.messages)
            tokens = self._metrics.route_tokens
            tokens.labels(route=route, kind="prompt").inc(prompt_chars / CHARS_PER_TOKEN)
            tokens.labels(route=route, kind="completion").inc(len(turn.draft.text) / CHARS_PER_TOKEN)
