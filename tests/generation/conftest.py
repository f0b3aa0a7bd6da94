"""Fixtures for the generation tests: loopback upstreams and routes that are always closed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from gateway.generation import LLMRoute, build_llm_route
from gateway.settings import Settings
from tests.support import Script, UpstreamServer

RouteFactory = Callable[..., LLMRoute]


@pytest.fixture
def upstream() -> Iterator[UpstreamServer]:
    with UpstreamServer(Script(reply="Gold members earn double points on weekends.")) as up:
        yield up


@pytest.fixture
def backup() -> Iterator[UpstreamServer]:
    with UpstreamServer(Script(reply="The backup deployment answered.")) as up:
        yield up


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """Settings from the given values only: no `.env`, no hosted LLM unless asked for."""

    def make(**values: Any) -> Settings:
        defaults: dict[str, Any] = {"llm_model": "", "llm_config_file": None, "llm_api_base": ""}
        return Settings(_env_file=None, **{**defaults, **values})  # type: ignore[call-arg]

    return make


@pytest.fixture
async def make_route(make_settings: Callable[..., Settings]) -> AsyncIterator[RouteFactory]:
    """Build routes from settings values; each is closed when the test ends."""
    routes: list[LLMRoute] = []

    def make(**values: Any) -> LLMRoute:
        route = build_llm_route(make_settings(**values))
        assert route is not None
        routes.append(route)
        return route

    yield make
    for route in routes:
        await route.aclose()
