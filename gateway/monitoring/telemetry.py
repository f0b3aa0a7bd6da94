"""OpenTelemetry: the tracer provider, and the one place our types become span attributes.

The rest of the code never imports the OpenTelemetry SDK; it asks `StageRecorder`
for a span. Attribute names follow the GenAI semantic conventions (`gen_ai.*`)
where one exists, and `loyalty.*` for ours.
"""

from __future__ import annotations

from typing import Literal

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.util.types import AttributeValue

from gateway.turn import Turn


def build_tracer_provider(
    exporter: Literal["none", "console", "otlp"], otlp_endpoint: str = ""
) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": "loyalty-gateway"}))
    span_exporter = _exporter(exporter, otlp_endpoint)
    if span_exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(span_exporter))
    return provider


def _exporter(kind: str, endpoint: str) -> SpanExporter | None:
    if kind == "console":
        return ConsoleSpanExporter()
    if kind == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
    return None


def turn_attributes(turn: Turn) -> dict[str, AttributeValue]:
    """What a finished turn tells the trace (never the member's text or personal data)."""
    attrs: dict[str, AttributeValue] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": turn.requested_model,
        "loyalty.decision_id": turn.decision_id,
        "loyalty.channel": turn.channel.value,
        "loyalty.stream": turn.stream,
    }
    if turn.route is not None:
        attrs["loyalty.route"] = turn.route.route.value
        if turn.route.intent is not None:
            attrs["loyalty.intent"] = turn.route.intent
    if turn.draft is not None:
        attrs["gen_ai.response.model"] = turn.draft.model
    if turn.verdict is not None:
        attrs["loyalty.gate.action"] = turn.verdict.action
        attrs["loyalty.gate.violations"] = len(turn.verdict.violations)
        attrs["loyalty.policy_version"] = turn.verdict.policy_version
    return attrs
