"""The end-to-end probe of the freshness benchmark; runs in its own process.

One probe at a time: post one event for a seeded member, then ask the read path again
and again (each request sent as soon as the previous answer arrived) until an answer
reflects the event, and time it:

    answer  purchase (whole points) → `POST /v1/chat/completions` "how many points do I
            have?" (the small model's points template) shows the new balance
    offers  purchase or store_entered, alternately → `GET /v1/members/{id}/offers`
            names the new balance or the store just entered in its `context`

From the moment the gateway accepted the event (its 200 arrived) the probe records:
`reflected`, until the first answer that reflects it has arrived (consumer lag + one
read path: what a client sees); `issued`, until that request was sent (an upper bound
of the consumer lag, at the resolution of one request); and `first_try`, whether the
first request sent after acceptance already reflected it.

Every other probe is a fixed-delay probe instead, the direct test of "reflected in the
next answer within 50 ms": one request is sent exactly `d` ms after the event was
accepted (d in `delays_ms`, in turn) and counts whether its answer reflects the event.
If at d = 50 ms at least 99% of answers do, the event's staleness is under 50 ms at p99.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

HEADERS = {"Authorization": "Bearer dev-app-key"}
QUESTION = "how many points do I have?"
GIVE_UP_S = 2.0


@dataclass(frozen=True)
class Probe:
    url: str
    members: tuple[tuple[str, int], ...]  # (member id, seeded points); events only from this probe
    stores: tuple[str, ...]  # stores of the seeded data, entered in turn
    seconds: float
    points_per_dollar: int
    gap_s: float = 0.05  # pause between probes
    delays_ms: tuple[float, ...] = (0.0, 10.0, 25.0, 50.0)


@dataclass
class Series:
    reflected_ms: list[float] = field(default_factory=list)
    issued_ms: list[float] = field(default_factory=list)
    sent_to_reflected_ms: list[float] = field(default_factory=list)
    first_try: int = 0
    requests: int = 0
    not_seen: int = 0
    read_ms: list[float] = field(default_factory=list)  # every read request's round trip
    stage_ms: dict[str, list[float]] = field(default_factory=dict)  # chat reads: the gateway's own split


@dataclass
class ProbeResult:
    answer: Series = field(default_factory=Series)
    offers_purchase: Series = field(default_factory=Series)
    offers_store: Series = field(default_factory=Series)
    errors: dict[str, int] = field(default_factory=dict)
    # kind -> delay in ms -> [answers that reflected the event, requests sent]
    at_delay: dict[str, dict[str, list[int]]] = field(default_factory=dict)


def run_probe(probe: Probe) -> dict[str, Any]:
    """Entry point for the worker process; returns plain data."""
    return asdict(asyncio.run(_run(probe)))


async def _run(probe: Probe) -> ProbeResult:
    result = ProbeResult()
    points = dict(probe.members)
    deadline = time.monotonic() + probe.seconds
    async with httpx.AsyncClient(base_url=probe.url, headers=HEADERS, timeout=10) as http:
        n = 0
        while time.monotonic() < deadline:
            try:
                await _one(http, probe, result, points, n)
            except (httpx.HTTPError, KeyError, ValueError) as e:
                result.errors[type(e).__name__] = result.errors.get(type(e).__name__, 0) + 1
            n += 1
            await asyncio.sleep(probe.gap_s)
    return result


Points = dict[str, int]


async def _one(http: httpx.AsyncClient, probe: Probe, result: ProbeResult, points: Points, n: int) -> None:
    member = probe.members[n % len(probe.members)][0]
    kind = ("answer", "offers_purchase", "answer", "offers_store")[(n // 2) % 4]  # each kind in both modes
    series: Series = getattr(result, kind)
    if kind == "offers_store":
        store = probe.stores[n % len(probe.stores)]
        event: dict[str, Any] = {"type": "store_entered", "member_id": member, "store_id": store}
        reflects = _offers_reflect("store_id", store)
    else:
        total = 10 + n % 50
        points[member] += total * probe.points_per_dollar
        event = {"type": "purchase", "member_id": member, "store_id": "367", "total": float(total),
                 "items": [{"category": "SOFT DRINKS", "quantity": 1, "amount": float(total)}]}
        reflects = (_answer_reflects(points[member]) if kind == "answer"
                    else _offers_reflect("points", points[member]))  # fmt: skip
    read = _ask_points if kind == "answer" else _get_offers
    if n % 2:
        await _at_delay(http, probe, result, (kind, event, member), reflects=reflects, n=n)
        return
    sent = time.perf_counter()
    await _post(http, event)
    accepted = time.perf_counter()
    first = True
    while True:
        issued = time.perf_counter()
        body = await read(http, member)
        arrived = time.perf_counter()
        series.requests += 1
        series.read_ms.append((arrived - issued) * 1000)
        for stage, ms in body.get("gateway", {}).get("stage_ms", {}).items():
            series.stage_ms.setdefault(stage, []).append(float(ms))
        if reflects(body):
            series.reflected_ms.append((arrived - accepted) * 1000)
            series.issued_ms.append(max(0.0, issued - accepted) * 1000)
            series.sent_to_reflected_ms.append((arrived - sent) * 1000)
            series.first_try += first
            return
        if arrived - accepted > GIVE_UP_S:
            series.not_seen += 1
            return
        first = False


async def _at_delay(
    http: httpx.AsyncClient, probe: Probe, result: ProbeResult,
    probed: tuple[str, dict[str, Any], str], *, reflects: Any, n: int,
) -> None:
    """One request exactly `delay` ms after the event's acceptance: does its answer reflect it?"""
    kind, event, member = probed
    delay = probe.delays_ms[(n // 8) % len(probe.delays_ms)]  # each delay with every kind
    read = _ask_points if kind == "answer" else _get_offers
    await _post(http, event)
    accepted = time.perf_counter()
    await asyncio.sleep(max(0.0, accepted + delay / 1000 - time.perf_counter()))
    body = await read(http, member)
    tally = result.at_delay.setdefault(kind, {}).setdefault(f"{delay:g}", [0, 0])
    tally[0] += bool(reflects(body))
    tally[1] += 1


async def _post(http: httpx.AsyncClient, event: dict[str, Any]) -> None:
    event = {"event_id": uuid.uuid4().hex, "occurred_at": datetime.now(UTC).isoformat(), **event}
    reply = await http.post("/v1/events", json={"events": [event]})
    reply.raise_for_status()
    if reply.json()["accepted"] != 1:
        raise ValueError(f"event not accepted: {reply.text}")


async def _ask_points(http: httpx.AsyncClient, member: str) -> dict[str, Any]:
    body = {"model": "loyalty", "user": member, "messages": [{"role": "user", "content": QUESTION}]}
    reply = await http.post("/v1/chat/completions", json=body)
    reply.raise_for_status()
    result: dict[str, Any] = reply.json()
    return result


async def _get_offers(http: httpx.AsyncClient, member: str) -> dict[str, Any]:
    reply = await http.get(f"/v1/members/{member}/offers")
    reply.raise_for_status()
    result: dict[str, Any] = reply.json()
    return result


def _answer_reflects(points: int) -> Any:
    expected = f"{points:,} points"
    return lambda body: expected in body["choices"][0]["message"]["content"]


def _offers_reflect(key: str, value: object) -> Any:
    return lambda body: body["context"][key] == value
