"""Prometheus metrics, in a registry owned by the app (not the process-global one)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

# Stage latencies run from sub-millisecond (dataprep) to seconds (hosted LLM).
_STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.stage_seconds = Histogram(
            "gateway_stage_seconds",
            "Time spent in each pipeline stage",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self.turns = Counter(
            "gateway_turns_total",
            "Answered turns by channel, route and gate action",
            ["channel", "route", "action"],
            registry=self.registry,
        )
        self.violations = Counter(
            "gateway_violations_total",
            "Governance violations found in drafts",
            ["code"],
            registry=self.registry,
        )
        self.route_seconds = Histogram(
            "gateway_route_seconds",
            "Routing plus generation time of answered turns, by the route that answered",
            ["route"],
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self.router_predictions = Counter(
            "gateway_router_predictions_total",
            "Route model calls by channel, predicted route and the route served (unsure -> llm)",
            ["channel", "predicted", "served"],
            registry=self.registry,
        )
        self.route_tokens = Counter(
            "gateway_route_tokens_estimated_total",
            "Hosted-LLM tokens by route and kind (prompt, completion), estimated at 4 characters a token",
            ["route", "kind"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "gateway_rejected_requests_total",
            "Requests refused before the pipeline, by reason",
            ["code"],
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
