"""A gateway of its own for consent, clienteling and erasure tests, and a store tablet that listens.

The gateway serves a private copy of the seeded member database (these tests change
consent and erase members) and reads its own event stream (a unique name), so no
other gateway's event consumer, in this run or another on the same Redis database,
takes its events. Pub/sub channels are not per database either: every test uses
store ids of its own (`unique_store`).
"""

from __future__ import annotations

import asyncio
import json
import queue
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.audit import SqliteAuditLog
from gateway.composition import LoadedModels
from tests.e2e.conftest import RunningGateway, gateway_settings
from tests.support.serving import ServedApp

APP = {"Authorization": "Bearer dev-app-key"}
GPC = {"Sec-GPC": "1"}
KIOSK = {"Authorization": "Bearer dev-kiosk-key"}
ASSOCIATE = {"Authorization": "Bearer dev-associate-key"}
COMPLIANCE = {"Authorization": "Bearer dev-compliance-key"}


@dataclass(frozen=True)
class PrivateGateway(RunningGateway):
    member_db: Path

    def members_of_tiers(self, *tiers: str) -> list[str]:
        marks = ", ".join("?" for _ in tiers)
        with sqlite3.connect(self.member_db) as db:
            rows = db.execute(f"SELECT member_id FROM members WHERE tier IN ({marks}) ORDER BY member_id",
                              tiers).fetchall()
        return [str(r[0]) for r in rows]

    def home_store(self, member_id: str) -> str:
        with sqlite3.connect(self.member_db) as db:
            sql = "SELECT home_store_id FROM members WHERE member_id = ?"
            (store,) = db.execute(sql, (member_id,)).fetchone()
        return str(store)


@contextmanager
def private_gateway(request: pytest.FixtureRequest, *, with_llm: bool = False) -> Iterator[PrivateGateway]:
    """Serve a gateway of its own, from the session's fixtures (tests/e2e/conftest.py);
    use it from a module-scoped fixture of the test module. `with_llm`: the loopback upstream."""
    llm = {}
    if with_llm:
        upstream = request.getfixturevalue("upstream")
        llm = {"llm_model": "test-model", "llm_api_base": upstream.base_url, "llm_api_key": "sk-test-secret"}
    base = request.getfixturevalue("tmp_path_factory").mktemp("gw-privacy")
    member_db = base / "loyalty.db"
    shutil.copyfile(request.getfixturevalue("seeded_db"), member_db)
    loaded_models: LoadedModels = request.getfixturevalue("loaded_models")
    settings = gateway_settings(
        base, member_db, request.getfixturevalue("trained_models_dir"),
        request.getfixturevalue("clean_test_redis"),
        events_stream=f"lg:events:test:{uuid.uuid4().hex}", notifications_ping_s=0.5, **llm,
    )
    with ServedApp(create_app(settings, models=loaded_models)) as served:
        yield PrivateGateway(served.url, settings, member_db)


def unique_store() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def post_events(gw: RunningGateway, *events: dict[str, Any], headers: dict[str, str] | None = None) -> float:
    """Posts the events (each given an id and the time now); returns when the answer came."""
    now = datetime.now(UTC).isoformat()
    stamped = [{"event_id": uuid.uuid4().hex, "occurred_at": now, **e} for e in events]
    response = httpx.post(f"{gw.api}/events", json={"events": stamped}, headers={**APP, **(headers or {})},
                          timeout=30)
    assert response.status_code == 200 and response.json()["accepted"] == len(events), response.text
    return time.time()


def enter_store(
    gw: RunningGateway, member_id: str, store_id: str, headers: dict[str, str] | None = None
) -> float:
    return post_events(gw, {"type": "store_entered", "member_id": member_id, "store_id": store_id},
                       headers=headers)


@dataclass(frozen=True)
class Received:
    event: str
    data: dict[str, Any]
    at: float  # epoch seconds, when the line was read


class Tablet:
    """A store tablet: reads the store's notification stream in a thread until closed."""

    def __init__(self, gw: RunningGateway, store_id: str, headers: dict[str, str] = ASSOCIATE) -> None:
        self.url = f"{gw.api}/stores/{store_id}/notifications"
        self._headers = headers
        self._events: queue.Queue[Received] = queue.Queue()
        self.pings = 0
        self._stop = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(30.0, read=None))
        self._thread = threading.Thread(target=self._read, daemon=True, name="tablet")

    def __enter__(self) -> Tablet:
        self._thread.start()
        ready = self.next(timeout=30)
        assert ready.event == "ready", ready
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._client.close()
        self._thread.join(timeout=10)

    def next(self, timeout: float = 10.0) -> Received:
        return self._events.get(timeout=timeout)

    def notifications_within(self, seconds: float, *, until: int | None = None) -> list[Received]:
        """The notifications that arrive within `seconds` (sooner once `until` have)."""
        deadline, found = time.monotonic() + seconds, []
        while (left := deadline - time.monotonic()) > 0 and (until is None or len(found) < until):
            try:
                received = self._events.get(timeout=left)
            except queue.Empty:
                break
            if received.event == "notification":
                found.append(received)
        return found

    def _read(self) -> None:
        event, data = "message", ""
        try:
            with self._client.stream("GET", self.url, headers=self._headers) as response:
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith(":"):
                        self.pings += 1
                    elif line.startswith("event:"):
                        event = line.removeprefix("event:").strip()
                    elif line.startswith("data:"):
                        data += line.removeprefix("data:").strip()
                    elif not line and data:
                        self._events.put(Received(event, json.loads(data), time.time()))
                        event, data = "message", ""
        except httpx.HTTPError:
            return  # closed by the test


def ask(
    gw: RunningGateway, member_id: str, text: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    body = {"model": "loyalty", "user": member_id, "messages": [{"role": "user", "content": text}]}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers={**APP, **(headers or {})},
                          timeout=60)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def set_consent(gw: RunningGateway, member_id: str, headers: dict[str, str] = APP, **purposes: bool) -> None:
    response = httpx.put(f"{gw.api}/members/{member_id}/consent", json=purposes, headers=headers, timeout=30)
    assert response.status_code == 200, response.text


def audit_record(gw: RunningGateway, decision_id: str) -> dict[str, Any]:
    """The decision's audit record, read from the gateway's audit database."""

    async def read() -> dict[str, Any]:
        log = SqliteAuditLog(gw.settings.audit_db_url.removeprefix("sqlite:///"))
        try:
            stored = await log.get(decision_id)
        finally:
            await log.close()
        assert stored is not None, f"no audit record for {decision_id}"
        return stored.record().to_dict()

    return asyncio.run(read())


def audit_records(gw: RunningGateway, member_id: str) -> list[dict[str, Any]]:
    """Every audit record of the member, oldest first."""

    async def read() -> list[dict[str, Any]]:
        log = SqliteAuditLog(gw.settings.audit_db_url.removeprefix("sqlite:///"))
        try:
            stored = await log.recent(100_000)
        finally:
            await log.close()
        records = [s.record().to_dict() for s in reversed(stored)]
        return [r for r in records if r["member_id"] == member_id]

    return asyncio.run(read())
