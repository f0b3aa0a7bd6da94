"""The stores a member's data is erased from, each behind `Erasable.forget_member`.

    MemberRows          member database: the member's row, purchase lines, offer targets
    HotProfileEraser    the hot profile and the ids of the events applied to it (an erasure
                        mark is left so that events still in flight cannot bring it back)
    EventStreamEraser   the member's entries in the event stream and its dead-letter stream,
                        and those events' duplicate-check marks
    DecisionLogEraser   the next-best-offer decisions kept for feedback
    FrequencyCapEraser  the offer impression counts

The Redis scans read the whole stream / key space once per erasure: right for an
erasure request now and then, and for the embedded default; a deployment with a very
long stream indexes events by member instead.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any, Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

from gateway.decisioning.persistence import DECISION_PREFIX
from gateway.events import STREAM
from gateway.events._keys import DEAD_LETTER_SUFFIX, ProfileKeys, seen_key
from gateway.exceptions import StoreError

# Tables of the member database that hold a member's own rows (see gateway/members/schema.py).
_MEMBER_TABLES = ("purchases", "offer_targets", "members")


class MemberRows:
    """Deletes the member's rows in one transaction; returns how many rows."""

    def __init__(self, path: Path | str) -> None:
        self._path = Path(path)

    async def forget_member(self, member_id: str) -> int:
        return await asyncio.to_thread(self._delete, member_id)

    def _delete(self, member_id: str) -> int:
        try:
            conn = sqlite3.connect(self._path, timeout=5.0)
            try:
                with conn:
                    return sum(
                        conn.execute(f"DELETE FROM {table} WHERE member_id = ?", (member_id,)).rowcount
                        for table in _MEMBER_TABLES
                    )
            finally:
                conn.close()
        except sqlite3.Error as e:
            raise StoreError(f"member database {self._path}: erasure failed: {e}") from e


class ProfileEraser(Protocol):
    async def erase(self, member_id: str) -> None: ...


class HotProfileEraser:
    def __init__(self, profiles: ProfileEraser, client: redis.Redis) -> None:
        self._profiles = profiles
        self._redis = client

    async def forget_member(self, member_id: str) -> int:
        keys = ProfileKeys.of(member_id)
        try:
            existing: int = await self._redis.exists(keys.profile, keys.applied)
        except RedisError as e:
            raise StoreError(f"hot profile erasure failed: {e}") from e
        await self._profiles.erase(member_id)
        return existing


class EventStreamEraser:
    def __init__(self, client: redis.Redis, *, stream: str = STREAM, page: int = 1000) -> None:
        self._redis = client
        self._stream = stream
        self._page = page

    async def forget_member(self, member_id: str) -> int:
        try:
            erased = 0
            for stream in (self._stream, self._stream + DEAD_LETTER_SUFFIX):
                erased += await self._erase_from(stream, member_id)
            return erased
        except RedisError as e:
            raise StoreError(f"event stream erasure failed: {e}") from e

    async def _erase_from(self, stream: str, member_id: str) -> int:
        erased, start = 0, "-"
        while entries := await self._page_of(stream, start):
            ids: list[Any] = []
            event_ids: list[str] = []
            for entry_id, fields in entries:
                event = _event_of(fields)
                if event is not None and event.get("member_id") == member_id:
                    ids.append(entry_id)
                    event_ids.append(str(event.get("event_id", "")))
            if ids:
                erased += await self._redis.xdel(stream, *ids)
                await self._redis.delete(*(seen_key(self._stream, e) for e in event_ids if e))
            if len(entries) < self._page:
                break
            start = "(" + _text(entries[-1][0])
        return erased

    async def _page_of(self, stream: str, start: str) -> list[tuple[Any, Any]]:
        entries: Any = await self._redis.xrange(stream, min=start, max="+", count=self._page)
        return list(entries or [])


class DecisionLogEraser:
    def __init__(self, client: redis.Redis, *, prefix: str = DECISION_PREFIX, batch: int = 500) -> None:
        self._redis = client
        self._prefix = prefix
        self._batch = batch

    async def forget_member(self, member_id: str) -> int:
        try:
            erased, keys = 0, []
            async for key in self._redis.scan_iter(match=self._prefix + "*", count=self._batch):
                keys.append(key)
                if len(keys) >= self._batch:
                    erased += await self._erase_among(keys, member_id)
                    keys = []
            return erased + (await self._erase_among(keys, member_id) if keys else 0)
        except RedisError as e:
            raise StoreError(f"offer decision erasure failed: {e}") from e

    async def _erase_among(self, keys: list[Any], member_id: str) -> int:
        values = await self._redis.mget(keys)
        pairs = zip(keys, values, strict=True)
        theirs = [k for k, v in pairs if v is not None and _decided_for(v) == member_id]
        deleted: int = await self._redis.delete(*theirs) if theirs else 0
        return deleted


class ImpressionCounts(Protocol):
    async def forget(self, member_id: str) -> int: ...


class FrequencyCapEraser:
    def __init__(self, caps: ImpressionCounts) -> None:
        self._caps = caps

    async def forget_member(self, member_id: str) -> int:
        return await self._caps.forget(member_id)


def _event_of(fields: Any) -> dict[str, Any] | None:
    raw = (fields or {}).get(b"event", fields.get("event"))
    try:
        event = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _decided_for(raw: bytes | str) -> str | None:
    try:
        member = json.loads(raw)["context"]["member_id"]
    except (ValueError, KeyError, TypeError):
        return None
    return str(member)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
