"""Weather: the channel's value by default; an HTTP provider whose failures are a missing fact."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from gateway.context.weather import ChannelWeather, HttpWeatherProvider, describe
from tests.support.serving import ServedApp

RAIN = {"weather": [{"description": "light rain"}], "main": {"temp": 11.6}}


@dataclass
class WeatherApi:
    """A loopback OpenWeather-like API: records the query, answers as told."""

    status: int = 200
    body: object = field(default_factory=lambda: RAIN)
    delay: float = 0.0
    queries: list[dict[str, str]] = field(default_factory=list)

    async def weather(self, request: Request) -> Response:
        self.queries.append(dict(request.query_params))
        await asyncio.sleep(self.delay)
        if self.status != 200:
            return PlainTextResponse("down", status_code=self.status)
        if isinstance(self.body, str):
            return PlainTextResponse(self.body)
        return JSONResponse(self.body)


@pytest.fixture
def api() -> Iterator[tuple[WeatherApi, str]]:
    state = WeatherApi()
    with ServedApp(Starlette(routes=[Route("/data/2.5/weather", state.weather)])) as served:
        yield state, f"{served.url}/data/2.5"


def provider(base: str, **options: float) -> HttpWeatherProvider:
    return HttpWeatherProvider(base, "k-123", **options)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_the_channel_provider_passes_on_what_the_channel_sent_and_nothing_else() -> None:
    weather = ChannelWeather()
    assert await weather.current(location="Chicago", sent=" sunny ") == "sunny"
    assert await weather.current(location="Chicago", sent=None) is None


@pytest.mark.anyio
async def test_the_http_provider_asks_the_api_for_the_members_place(api: tuple[WeatherApi, str]) -> None:
    state, base = api
    weather = provider(base)
    assert await weather.current(location="Chicago", sent=None) == "light rain, 12 °C"
    assert state.queries == [{"q": "Chicago", "appid": "k-123", "units": "metric"}]
    await weather.aclose()


@pytest.mark.anyio
async def test_coordinates_are_sent_as_latitude_and_longitude(api: tuple[WeatherApi, str]) -> None:
    state, base = api
    weather = provider(base)
    await weather.current(location="41.8781,-87.6298", sent=None)
    assert state.queries[0]["lat"] == "41.88" and state.queries[0]["lon"] == "-87.63"
    await weather.aclose()


@pytest.mark.anyio
async def test_what_the_channel_sent_wins_and_no_call_is_made(api: tuple[WeatherApi, str]) -> None:
    state, base = api
    weather = provider(base)
    assert await weather.current(location="Chicago", sent="snow") == "snow"
    assert state.queries == []
    await weather.aclose()


@pytest.mark.anyio
async def test_answers_are_cached_per_location_for_the_ttl(api: tuple[WeatherApi, str]) -> None:
    state, base = api
    now = [0.0]
    weather = HttpWeatherProvider(base, "k", ttl_s=60, clock=lambda: now[0])
    await weather.current(location="Chicago", sent=None)
    await weather.current(location="Chicago", sent=None)
    assert len(state.queries) == 1
    now[0] = 61.0
    await weather.current(location="Chicago", sent=None)
    assert len(state.queries) == 2
    await weather.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 401, 404])
async def test_an_error_status_is_a_missing_fact(api: tuple[WeatherApi, str], status: int) -> None:
    state, base = api
    state.status = status
    weather = provider(base)
    assert await weather.current(location="Chicago", sent=None) is None
    await weather.aclose()


@pytest.mark.anyio
async def test_a_slow_api_is_cut_off_by_the_timeout(api: tuple[WeatherApi, str]) -> None:
    state, base = api
    state.delay = 1.0
    weather = provider(base, timeout_s=0.1)
    assert await weather.current(location="Chicago", sent=None) is None
    await weather.aclose()


@pytest.mark.anyio
async def test_an_unreachable_api_is_a_missing_fact() -> None:
    weather = provider("http://127.0.0.1:9", timeout_s=0.5)
    assert await weather.current(location="Chicago", sent=None) is None
    await weather.aclose()


@pytest.mark.anyio
async def test_a_failure_is_not_cached(api: tuple[WeatherApi, str]) -> None:
    state, base = api
    state.status = 500
    weather = provider(base)
    assert await weather.current(location="Chicago", sent=None) is None
    state.status = 200
    assert await weather.current(location="Chicago", sent=None) == "light rain, 12 °C"
    await weather.aclose()


@pytest.mark.anyio
async def test_a_body_that_is_not_json_is_a_missing_fact(api: tuple[WeatherApi, str]) -> None:
    state, base = api
    state.body = "<html>maintenance</html>"
    weather = provider(base)
    assert await weather.current(location="Chicago", sent=None) is None
    await weather.aclose()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"weather": [{"description": "clear sky"}]}, "clear sky"),
        ({"main": {"temp": -3.2}}, "-3 °C"),
        ({"main": {"temp": "hot"}, "weather": "rain"}, None),
        ({"main": {"temp": 400}}, None),
        ([1, 2], None),
    ],
)
def test_odd_bodies_give_what_they_can_or_nothing(body: object, expected: str | None) -> None:
    assert describe(body) == expected
