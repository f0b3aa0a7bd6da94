"""The background task that turns stream entries into hot-profile updates.

Each gateway process runs one consumer, all in one consumer group, so every
entry is applied by one of them. Nothing is lost when a process dies: its
entries stay pending in the group, and the other consumers claim those that have
been idle for `claim_idle` (XAUTOCLAIM) and apply them. Applying is idempotent
(`HotProfiles.apply`), so an entry applied but not yet acknowledged when its
consumer died does no harm when it is applied again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis.asyncio as redis
from pydantic import ValidationError
from redis.exceptions import RedisError, ResponseError
from redis.typing import EncodableT, FieldT

from gateway.events._keys import DEAD_LETTER_SUFFIX, STREAM
from gateway.events._profiles import HotProfiles, Outcome
from gateway.events._schema import EVENT_ADAPTER, Event
from gateway.exceptions import StoreError

_log = logging.getLogger(__name__)
Entry = tuple[Any, Any]  # (entry id, fields) as redis-py returns them: bytes or str


@dataclass(frozen=True)
class AppliedEvent:
    """Reported after each entry is applied (for freshness metrics)."""

    event: Event
    entry_id: str
    source: str
    accepted_at: float  # epoch seconds: when the ingestor added it to the stream
    applied_at: float  # epoch seconds: when the profile write returned
    outcome: Outcome  # applied, or repeated (a redelivery), or erased (before an erasure)

    @property
    def changed(self) -> bool:
        return self.outcome is Outcome.APPLIED

    @property
    def freshness_s(self) -> float:
        return self.applied_at - self.accepted_at


@dataclass(frozen=True)
class _Delivered:
    entry_id: str
    event: Event
    source: str
    accepted_at: float
    fields: dict[str, str]  # as read, for the dead-letter stream


def default_consumer_name() -> str:
    """Unique per process, stable for its lifetime: host and pid."""
    return f"{socket.gethostname()}-{os.getpid()}"


class EventConsumer:
    """Reads the stream as `consumer_name` in `group`; `start()` and `stop()` own the task."""

    def __init__(
        self,
        client: redis.Redis,
        profiles: HotProfiles,
        group: str = "hot-profiles",
        consumer_name: str | None = None,
        *,
        stream: str = STREAM,
        block: timedelta = timedelta(milliseconds=100),
        batch: int = 100,
        claim_idle: timedelta = timedelta(seconds=30),
        claim_every: timedelta = timedelta(seconds=5),
        retry_after: timedelta = timedelta(milliseconds=500),
        on_applied: Callable[[AppliedEvent], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._profiles = profiles
        self._group = group
        self._name = consumer_name or default_consumer_name()
        self._stream = stream
        self._block_ms = _ms(block)
        self._batch = batch
        self._claim_idle_ms = _ms(claim_idle)
        self._claim_every_s = claim_every.total_seconds()
        self._retry_after_s = retry_after.total_seconds()
        self._on_applied = on_applied
        self._clock = clock
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the event consumer is already started")
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=f"event-consumer:{self._name}")
        self._task.add_done_callback(_log_crash)

    async def stop(self) -> None:
        """Let the loop finish its current batch (a blocked read ends within `block`)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        # `asyncio.wait` neither raises the task's error (logged when it happened)
        # nor cancels the task when it times out.
        done, _ = await asyncio.wait([task], timeout=self._block_ms / 1000 + 5.0)
        if not done:
            task.cancel()  # applying is idempotent: a cut-short batch is applied again later
            await asyncio.wait([task])

    async def check(self) -> None:
        """Readiness: the task is alive."""
        if not self.running:
            raise StoreError("the event consumer is not running", code="events_consumer_down")

    async def _run(self) -> None:
        group_ready, backlog, next_claim = False, True, 0.0
        while not self._stopping.is_set():
            try:
                if not group_ready:
                    group_ready = await self._ensure_group()
                if backlog:  # ours from before a restart or an error: not re-sent by '>'
                    backlog = await self._drain_own()
                if time.monotonic() >= next_claim:
                    await self._claim_abandoned()
                    next_claim = time.monotonic() + self._claim_every_s
                await self._read_new()
            except (RedisError, StoreError) as e:
                _log.warning("event consumer %s: %s; retrying in %.2fs", self._name, e, self._retry_after_s)
                # After a failed batch, its entries are ours and pending; the group itself
                # may be gone (the stream deleted): creating it again is harmless.
                group_ready, backlog = False, True
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._retry_after_s)

    async def _ensure_group(self) -> bool:
        try:
            # From the stream's start: events added before any consumer existed count too.
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise
        return True

    async def _drain_own(self) -> bool:
        after: Any = "0"
        while entries := _entries(
            await self._redis.xreadgroup(self._group, self._name, {self._stream: after}, count=self._batch)
        ):
            await self._handle(entries)
            after = entries[-1][0]
        return False

    async def _claim_abandoned(self) -> None:
        start: Any = "0-0"
        while True:
            reply = await self._redis.xautoclaim(
                self._stream, self._group, self._name, self._claim_idle_ms, start_id=start, count=self._batch
            )
            # Entries trimmed from the stream meanwhile are dropped from the group by Redis itself.
            start, entries = reply[0], reply[1]
            await self._handle(entries)
            if _text(start) == "0-0" or self._stopping.is_set():
                return

    async def _read_new(self) -> None:
        reply = await self._redis.xreadgroup(
            self._group, self._name, {self._stream: ">"}, count=self._batch, block=self._block_ms
        )
        await self._handle(_entries(reply))

    async def _handle(self, entries: list[Entry]) -> None:
        if not entries:
            return
        delivered: list[_Delivered] = []
        for raw_id, raw_fields in entries:
            fields = {_text(k): _text(v) for k, v in (raw_fields or {}).items()}
            readable = await self._read(_text(raw_id), fields)
            if readable is not None:
                delivered.append(readable)
        # One round trip for the whole batch: what keeps a burst from queueing up.
        results = await self._profiles.apply_many([d.event for d in delivered])
        applied_at = self._clock()
        for d, result in zip(delivered, results, strict=True):
            if result.outcome is Outcome.REFUSED:
                await self._dead_letter(d.entry_id, d.fields, f"refused by Redis: {result.error}")
        await self._redis.xack(self._stream, self._group, *(entry_id for entry_id, _ in entries))
        if self._on_applied is not None:
            for d, result in zip(delivered, results, strict=True):
                if result.outcome is not Outcome.REFUSED:
                    self._on_applied(
                        AppliedEvent(d.event, d.entry_id, d.source, d.accepted_at, applied_at, result.outcome)
                    )

    async def _read(self, entry_id: str, fields: dict[str, str]) -> _Delivered | None:
        if not fields:
            return None  # trimmed away while pending: nothing left to apply
        try:
            event = EVENT_ADAPTER.validate_json(fields["event"])
            accepted_at = float(fields["accepted_at"])
        except (KeyError, ValueError, ValidationError) as e:
            await self._dead_letter(entry_id, fields, str(e))
            return None
        return _Delivered(entry_id, event, fields.get("source", ""), accepted_at, fields)

    async def _dead_letter(self, entry_id: str, fields: dict[str, str], reason: str) -> None:
        """Kept aside with the reason, so that one bad entry does not hold up the rest."""
        _log.error("event %s in %s set aside: %s", entry_id, self._stream, reason)
        record: dict[FieldT, EncodableT] = {k: v for k, v in fields.items()}
        record.update(entry_id=entry_id, reason=reason[:2000])
        await self._redis.xadd(self._stream + DEAD_LETTER_SUFFIX, record, maxlen=10_000, approximate=True)


def _entries(reply: Any) -> list[Entry]:
    """XREADGROUP's reply for our one stream: a list (RESP2) or a mapping (RESP3)."""
    if not reply:
        return []
    streams = reply.values() if isinstance(reply, dict) else (entries for _, entries in reply)
    return [(entry[0], entry[1]) for entries in streams for entry in entries]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.error("the event consumer stopped on an error", exc_info=task.exception())
