"""The load side of the freshness benchmark; runs in its own process.

Producers post batches on a fixed schedule without waiting for earlier answers
(open loop, up to `MAX_IN_FLIGHT` each: a slow answer does not lower the offered
load, so queueing shows up in the figures instead of hiding).
A probe posts one `store_entered` for a fresh member every `probe_every_s` and
polls that member's hot profile until the visit shows, from the client's side.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import redis.asyncio as redis

from gateway.events import HotProfiles

HEADERS = {"Authorization": "Bearer dev-app-key"}
CATEGORIES = ("DAIRY", "BAKERY", "PRODUCE", "MEAT", "FROZEN", "PANTRY", "BEVERAGES", "DELI")
MAX_IN_FLIGHT = 8  # requests per producer awaiting an answer
# Share of each type in the generated traffic.
MIX = {"purchase": 30, "app_open": 20, "location_ping": 25, "store_entered": 15, "redemption": 10}


@dataclass(frozen=True)
class Load:
    url: str
    redis_url: str
    seconds: float
    rate: float  # events per second, all producers together
    producers: int
    batch: int
    members: int = 2_000
    duplicate_share: float = 0.02  # re-sent events, as a retrying client would
    probe_every_s: float = 0.1


@dataclass
class LoadResult:
    batches: int = 0
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: int = 0
    post_ms: list[float] = field(default_factory=list)
    probe_sent_to_visible_ms: list[float] = field(default_factory=list)
    probe_answered_to_visible_ms: list[float] = field(default_factory=list)
    probes_not_seen: int = 0
    producer_waits: int = 0  # ticks on which a producer had MAX_IN_FLIGHT answers outstanding
    elapsed_s: float = 0.0


def run_load(load: Load) -> dict[str, Any]:
    """Entry point for the worker process; returns plain data."""
    return asdict(asyncio.run(_run(load)))


async def _run(load: Load) -> LoadResult:
    result = LoadResult()
    limits = httpx.Limits(max_connections=load.producers * MAX_IN_FLIGHT + 1)
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=load.url, headers=HEADERS, limits=limits, timeout=10) as http:
        client = redis.Redis.from_url(load.redis_url)
        try:
            probe = _probe(http, HotProfiles(client, points_per_dollar=1), load, result)
            producers = [_produce(http, load, result, n) for n in range(load.producers)]
            await asyncio.gather(probe, *producers)
        finally:
            await client.aclose()
    result.elapsed_s = time.monotonic() - started
    return result


async def _produce(http: httpx.AsyncClient, load: Load, result: LoadResult, n: int) -> None:
    rng = random.Random(n)
    interval = load.producers * load.batch / load.rate
    start = time.monotonic() + n * interval / load.producers  # producers staggered evenly
    sent_before: list[dict[str, Any]] = []
    in_flight: set[asyncio.Task[None]] = set()
    tick = 0
    while (due := start + tick * interval) < start + load.seconds:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        batch = [_event(rng, load.members) for _ in range(load.batch)]
        if sent_before and rng.random() < load.duplicate_share * load.batch:
            batch[-1] = rng.choice(sent_before)
        sent_before = batch
        # Posted without waiting for the previous answer; bounded, so an overloaded
        # server slows the producer down (counted) instead of piling up requests.
        if len(in_flight) >= MAX_IN_FLIGHT:
            result.producer_waits += 1
            await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        task = asyncio.create_task(_post(http, batch, result))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        tick += 1
    if in_flight:
        await asyncio.gather(*in_flight)


async def _post(http: httpx.AsyncClient, batch: list[dict[str, Any]], result: LoadResult) -> None:
    began = time.perf_counter()
    try:
        reply = await http.post("/v1/events", json={"events": batch})
        reply.raise_for_status()
    except httpx.HTTPError:
        result.errors += 1
        return
    result.post_ms.append((time.perf_counter() - began) * 1000)
    body = reply.json()
    result.batches += 1
    result.sent += len(batch)
    result.accepted += body["accepted"]
    result.duplicates += body["duplicates"]
    result.rejected += len(body["rejected"])


async def _probe(http: httpx.AsyncClient, profiles: HotProfiles, load: Load, result: LoadResult) -> None:
    deadline = time.monotonic() + load.seconds
    while time.monotonic() < deadline:
        member = f"probe-{uuid.uuid4().hex[:12]}"
        entered = {"event_id": uuid.uuid4().hex, "type": "store_entered", "member_id": member,
                   "occurred_at": _now(), "store_id": "367"}
        sent = time.perf_counter()
        await _post(http, [entered], result)
        answered = time.perf_counter()
        while (await profiles.get(member)).last_store is None:
            if time.perf_counter() - sent > 2.0:
                result.probes_not_seen += 1
                break
            await asyncio.sleep(0.001)
        else:
            visible = time.perf_counter()
            result.probe_sent_to_visible_ms.append((visible - sent) * 1000)
            result.probe_answered_to_visible_ms.append((visible - answered) * 1000)
        await asyncio.sleep(load.probe_every_s)


def _event(rng: random.Random, members: int) -> dict[str, Any]:
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    base = {"event_id": uuid.UUID(int=rng.getrandbits(128)).hex, "type": kind,
            "member_id": f"bench-{rng.randrange(members)}", "occurred_at": _now()}
    store = str(rng.randrange(300, 400))
    if kind == "purchase":
        items: list[dict[str, Any]] = [{"category": rng.choice(CATEGORIES), "quantity": rng.randint(1, 3),
                  "amount": round(rng.uniform(1, 20), 2)} for _ in range(rng.randint(1, 5))]
        return base | {"store_id": store, "items": items,
                       "total": round(sum(i["amount"] for i in items), 2)}
    if kind == "location_ping":
        return base | {"lat": round(rng.uniform(41.6, 42.1), 5), "lon": round(rng.uniform(-88, -87.5), 5)}
    if kind == "store_entered":
        return base | {"store_id": store}
    if kind == "redemption":
        return base | {"offer_id": f"OFR-{rng.randrange(1000)}", "store_id": store}
    return base


def _now() -> str:
    return datetime.now(UTC).isoformat()
