"""Weather for the prompt: what the channel sent, or an OpenWeather-like HTTP API.

    WeatherProvider       the Protocol the stitcher depends on
    ChannelWeather        the default: only what the channel sent (`metadata.weather`)
    HttpWeatherProvider   the channel's value, else `GET {base}/weather?q=...` (or lat/lon)

Weather is a nice-to-have: a slow, failing or odd answer from the API is a missing
fact (None), never an error. The stitcher passes no location and no sent weather when
the member refused location use, so a provider never sees where the member is then.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import httpx


class WeatherProvider(Protocol):
    async def current(self, *, location: str | None, sent: str | None) -> str | None:
        """A short description of the weather where the member is, or None."""
        ...


class ChannelWeather:
    """What the channel sent, as it sent it; the gateway calls no weather service."""

    async def current(self, *, location: str | None, sent: str | None) -> str | None:
        return (sent or "").strip() or None

    async def aclose(self) -> None:
        return None


class HttpWeatherProvider:
    """An OpenWeather-like JSON API (`/weather?q=<place>` or `?lat=&lon=`, `appid`, metric units).

    Answers are cached per location for `ttl_s`; failures are not cached, so a later
    turn tries again. The client is injectable (tests use a loopback server).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_s: float = 1.0,
        ttl_s: float = 600.0,
        client: httpx.AsyncClient | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._key = api_key
        self._client = client or httpx.AsyncClient(timeout=timeout_s)
        self._timeout = timeout_s
        self._ttl = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, str]] = {}

    async def current(self, *, location: str | None, sent: str | None) -> str | None:
        if sent and sent.strip():
            return sent.strip()
        if not location or not location.strip():
            return None
        place = location.strip()
        cached = self._cache.get(place)
        if cached and self._clock() - cached[0] < self._ttl:
            return cached[1]
        found = await self._fetch(place)
        if found is not None:
            self._cache[place] = (self._clock(), found)
        return found

    async def _fetch(self, place: str) -> str | None:
        params = {**_where(place), "appid": self._key, "units": "metric"}
        try:
            response = await self._client.get(f"{self._base}/weather", params=params, timeout=self._timeout)
            response.raise_for_status()
            return describe(response.json())
        except (httpx.HTTPError, ValueError):
            return None

    async def aclose(self) -> None:
        await self._client.aclose()


def _where(place: str) -> dict[str, str]:
    """`"41.88,-87.63"` is a latitude and longitude; anything else a place name."""
    parts = [p.strip() for p in place.split(",")]
    if len(parts) == 2:
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            return {"q": place}
        return {"lat": f"{lat:.2f}", "lon": f"{lon:.2f}"}
    return {"q": place}


def describe(body: Any) -> str | None:
    """"light rain, 12 °C" from an OpenWeather-style body; None when it has neither."""
    if not isinstance(body, dict):
        return None
    words = body.get("weather")
    first = words[0] if isinstance(words, list) and words and isinstance(words[0], dict) else {}
    description = first.get("description")
    main = body.get("main")
    temp = main.get("temp") if isinstance(main, dict) else None
    parts = []
    if isinstance(description, str) and description.strip():
        parts.append(description.strip()[:60])
    if isinstance(temp, int | float) and not isinstance(temp, bool) and -90 < temp < 70:
        parts.append(f"{round(temp)} °C")
    return ", ".join(parts) or None
