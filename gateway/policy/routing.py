"""The routing graph as validated data (policies/routing.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from gateway.policy.yamlfile import StrictModel

RouteStep = Literal["exact_cache", "small_model", "llm", "fallback"]


class RoutingPolicy(StrictModel):
    order: tuple[RouteStep, ...] = Field(min_length=1)
    small_model_min_confidence: float = Field(ge=0, le=1)
    cacheable_intents: frozenset[str]
    exact_cache_ttl_s: int = Field(gt=0)

    @field_validator("order")
    @classmethod
    def _fallback_last(cls, order: tuple[RouteStep, ...]) -> tuple[RouteStep, ...]:
        if order[-1] != "fallback":
            raise ValueError("the last step must be 'fallback': every turn gets an answer")
        if len(set(order)) != len(order):
            raise ValueError("a routing step may appear only once")
        return order
