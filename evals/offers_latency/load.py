"""The client side of the offers benchmark; runs in its own process.

`clients` closed-loop clients (each sends its next request when the last one is
answered) ask `GET /v1/members/{id}/offers` for members drawn at random, for
`seconds`. Closed loop measures latency at the concurrency given; the throughput it
reaches is reported with it.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

HEADERS = {"Authorization": "Bearer dev-app-key"}


@dataclass(frozen=True)
class OffersLoad:
    url: str
    members: tuple[str, ...]
    clients: int
    seconds: float


@dataclass
class OffersResult:
    latency_ms: list[float] = field(default_factory=list)
    offers_per_answer: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0


def run_offers_load(load: OffersLoad) -> dict[str, Any]:
    """Entry point for the worker process; returns plain data."""
    return asdict(asyncio.run(_run(load)))


async def _run(load: OffersLoad) -> OffersResult:
    result = OffersResult()
    limits = httpx.Limits(max_connections=load.clients, max_keepalive_connections=load.clients)
    async with httpx.AsyncClient(base_url=load.url, headers=HEADERS, limits=limits, timeout=30) as http:
        started = time.monotonic()
        deadline = started + load.seconds
        await asyncio.gather(*(_client(http, load, result, deadline, n) for n in range(load.clients)))
        result.elapsed_s = time.monotonic() - started
    return result


async def _client(
    http: httpx.AsyncClient, load: OffersLoad, result: OffersResult, deadline: float, n: int
) -> None:
    rng = random.Random(n)
    while time.monotonic() < deadline:
        member = rng.choice(load.members)
        began = time.perf_counter()
        try:
            reply = await http.get(f"/v1/members/{member}/offers")
        except httpx.HTTPError as e:
            result.errors[type(e).__name__] = result.errors.get(type(e).__name__, 0) + 1
            continue
        elapsed = (time.perf_counter() - began) * 1000
        if reply.status_code != 200:
            result.errors[str(reply.status_code)] = result.errors.get(str(reply.status_code), 0) + 1
            continue
        result.latency_ms.append(elapsed)
        result.offers_per_answer.append(len(reply.json()["offers"]))
