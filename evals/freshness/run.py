"""Event freshness under load: from POST accepted to the hot profile reflecting it.

    .venv/bin/python -m evals.freshness.run [--seconds 30] [--rate 400 --rate 1600]
                                            [--producers 4] [--batch 10]

Serves the events route with uvicorn on loopback (one process, the consumer
running in its event loop as it does in the gateway's lifespan), with the real
key ring, ingestor, consumer and hot profiles on the local Redis, database 7
(flushed first). A second process offers the load through HTTP
(`evals/freshness/load.py`), so the client does not compete with the server for
one interpreter lock. Writes `report.md` and `report.json` next to this file.

Two measures:
- per event, on the server: ingestor's clock as it appends the batch to the stream
  (`accepted_at`) to the end of the profile write (`applied_at`), every event;
- per probe, on the client: a `store_entered` is posted and the profile polled
  every 1 ms until the visit shows (from sending, and from the 200 arriving).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import redis
import redis.asyncio as aredis
from fastapi import FastAPI

from evals.freshness.load import MAX_IN_FLIGHT, Load, run_load
from gateway.api import events as events_api
from gateway.api.errors import install_error_handlers
from gateway.api.keys import KeyRing
from gateway.events import STREAM, AppliedEvent, EventConsumer, EventIngestor, HotProfiles
from gateway.settings import PROJECT_ROOT
from tests.support.serving import ServedApp

HERE = Path(__file__).resolve().parent
REDIS_URL = "redis://127.0.0.1:6379/7"
TARGET_P99_MS = 50.0


@dataclass
class Recorder:
    """Collects each applied event's freshness; appended to from the server thread."""

    freshness_ms: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, applied: AppliedEvent) -> None:
        with self._lock:
            self.freshness_ms.append(applied.freshness_s * 1000)

    def count(self) -> int:
        with self._lock:
            return len(self.freshness_ms)


@dataclass
class EventServices:
    keys: KeyRing
    events: EventIngestor


def build_app(recorder: Recorder) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, object]]:
        client = aredis.Redis.from_url(REDIS_URL)
        profiles = HotProfiles(client, points_per_dollar=1)
        consumer = EventConsumer(client, profiles, "hot-profiles", "bench", on_applied=recorder.record)
        keys = KeyRing.load(PROJECT_ROOT / "deploy" / "channel-keys.dev.yaml", production=False)
        await consumer.start()
        try:
            yield {"services": EventServices(keys, EventIngestor(client))}
        finally:
            await consumer.stop()
            await client.aclose()

    app = FastAPI(lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(events_api.router)
    return app


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))], 3)

    return {"n": len(ordered), "p50": at(50), "p90": at(90), "p99": at(99), "max": round(ordered[-1], 3)}


def measure(load: Load) -> dict[str, Any]:
    recorder = Recorder()
    with ServedApp(build_app(recorder)) as served:
        load = replace(load, url=served.url)
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            client = pool.submit(run_load, load).result(timeout=load.seconds + 120)
        deadline = time.monotonic() + 10  # let the consumer finish what was accepted
        while recorder.count() < client["accepted"] and time.monotonic() < deadline:
            time.sleep(0.01)
    left = redis.Redis.from_url(REDIS_URL)
    pending = int(left.xpending(STREAM, "hot-profiles")["pending"])
    left.close()
    return {
        "load": {k: v for k, v in asdict(load).items() if k not in ("url", "redis_url")},
        "client": {k: v for k, v in client.items() if not k.endswith("_ms")},
        "offered_events_per_s": round(client["sent"] / client["elapsed_s"], 1),
        "applied": recorder.count(),
        "pending_after": pending,
        "freshness_server_ms": percentiles(recorder.freshness_ms),
        "probe_sent_to_visible_ms": percentiles(client["probe_sent_to_visible_ms"]),
        "probe_answered_to_visible_ms": percentiles(client["probe_answered_to_visible_ms"]),
        "post_ms": percentiles(client["post_ms"]),
    }


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                 if ln.startswith("model name")]
        model = names[0] if names else ""
    server = redis.Redis.from_url(REDIS_URL)
    version = str(server.info("server")["redis_version"])
    server.close()
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(), "arch": platform.machine(),
            "python": platform.python_version(), "redis": version, "date": time.strftime("%Y-%m-%d")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="per load level")
    parser.add_argument("--rate", type=float, action="append",
                        help="events per second offered; repeat for more levels (default 400 and 1600)")
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    rates: list[float] = args.rate or [400.0, 1600.0]
    if not 1 <= args.seconds <= 300 or not all(1 <= r <= 20_000 for r in rates) or len(rates) > 4:
        parser.error("keep it bounded: 1-300 seconds, 1-20000 events/s, at most 4 levels")
    box = machine()
    runs = []
    for rate in rates:
        flush = redis.Redis.from_url(REDIS_URL)
        flush.flushdb()
        flush.close()
        before = os.getloadavg()[0]
        run = measure(Load(url="", redis_url=REDIS_URL, seconds=args.seconds, rate=rate,
                           producers=args.producers, batch=args.batch))
        # The machine may be shared: other work lengthens the tail, so say how busy it was.
        run["load_average_1m"] = [round(before, 2), round(os.getloadavg()[0], 2)]
        runs.append(run)
    results = {"machine": box, "target_p99_ms": TARGET_P99_MS, "runs": runs}
    (HERE / "report.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "report.md").write_text(render(results))
    print((HERE / "report.md").read_text())


def render(results: dict[str, Any]) -> str:
    runs = results["runs"]
    lines = [
        "# Event freshness",
        "",
        _setting(results["machine"], runs[0]["load"]),
        "",
        f"Target: p99 freshness (accepted → in the profile) ≤ {TARGET_P99_MS:.0f} ms.",
        "",
        "| offered events/s | measure | n | p50 ms | p90 ms | p99 ms | max ms |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        lines += _rows(run)
    lines += ["", "What happened to the events:", ""]
    lines += [_outcome(run) for run in runs]
    lines += ["", *_NOTES]
    return "\n".join(lines) + "\n"


def _setting(box: dict[str, Any], load: dict[str, Any]) -> str:
    return (
        f"Measured {box['date']} on {box['cpu']} ({box['cores']} cores, {box['arch']}), Python "
        f"{box['python']}, Redis {box['redis']} on loopback (database 7). The machine was shared "
        "with other work: each level's 1-minute load average before and after is listed below. "
        "One uvicorn process serves `POST /v1/events` with the "
        "consumer task in the same event loop, as in the gateway; a second process offers the load "
        f"for {load['seconds']:.0f} s per level from {load['producers']} producers in batches of "
        f"{load['batch']} (open loop, up to {MAX_IN_FLIGHT} posts in flight each; "
        f"{100 * load['duplicate_share']:.0f}% re-sent ids; mix purchase "
        "30%, location_ping 25%, app_open 20%, store_entered 15%, redemption 10%) over "
        f"{load['members']:,} members, plus a probe every {1000 * load['probe_every_s']:.0f} ms. "
        "Reproduce: `.venv/bin/python -m evals.freshness.run`."
    )


def _outcome(run: dict[str, Any]) -> str:
    c = run["client"]
    return (
        f"- {run['offered_events_per_s']:.0f}/s: {c['sent']:,} events in {c['batches']:,} batches; "
        f"accepted {c['accepted']:,}, duplicates {c['duplicates']:,}, rejected {c['rejected']:,}, "
        f"HTTP errors {c['errors']}; applied {run['applied']:,}; left pending "
        f"{run['pending_after']}; probes not seen within 2 s: {c['probes_not_seen']}; "
        f"load average {run['load_average_1m'][0]} → {run['load_average_1m'][1]}; "
        f"producer ticks delayed by {MAX_IN_FLIGHT} unanswered posts: {c['producer_waits']}."
    )


_NOTES = (
    "The server measure runs from the ingestor's clock as it hands the batch to the stream to "
    "the end of the profile write, on one clock. The probe's \"200 received → visible\" is "
    "often below a millisecond: the consumer usually has written the profile before the HTTP "
    "answer reaches the client; its resolution is the 1 ms polling step.",
    "",
    "Capacity: one process spends about 0.5 ms of CPU per event end to end (HTTP, validation, "
    "the stream, the profile write; redis-py's pure-Python parser, no hiredis), measured "
    "separately with the client in the same process. On 2026-11-23, runs made while other jobs "
    "held this machine (1-minute load average 5 to 10 on its 2 cores) gave p99 9 to 23 ms at "
    "400 events/s, but at 1,600 events/s the process saturated: about 1,170 events/s taken, "
    "server p99 237 ms. More throughput is more gateway processes in the same consumer group.",
    "",
    "This measures the event path alone (accepted → hot profile). The issue's end-to-end definition, "
    "an event reflected in the next answer and the next offer, is measured with the whole gateway "
    "under load by `.venv/bin/python -m evals.freshness.e2e`: see `report_e2e.md`.",
)


def _rows(run: dict[str, Any]) -> list[str]:
    measures = {
        "**freshness, server: accepted → profile written (every event)**": run["freshness_server_ms"],
        "probe, client: POST sent → visible in the profile": run["probe_sent_to_visible_ms"],
        "probe, client: 200 received → visible in the profile": run["probe_answered_to_visible_ms"],
        "POST /v1/events round trip (client)": run["post_ms"],
    }
    rate = f"{run['offered_events_per_s']:.0f}"
    return [
        f"| {rate} | {name} | {p['n']:,} | {p['p50']:.2f} | {p['p90']:.2f} | {p['p99']:.2f} | "
        f"{p['max']:.2f} |"
        for name, p in measures.items() if p
    ]


if __name__ == "__main__":
    main()
