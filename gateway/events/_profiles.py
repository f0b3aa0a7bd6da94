"""The hot-profile store: apply an event once, read a profile, erase a member.

An event becomes a *change document* (pure Python, below) that one Lua script
applies atomically:

- `latest`: a field replaced only by a newer value (events can arrive out of
  order; an older store visit must not overwrite a newer one);
- `recent`: entries merged into a capped list, newest first;
- `add`: counters.

The stream delivers at least once (a consumer can die between applying and
acknowledging), so the script remembers which event ids it applied per member
for `replay_window` and applies each at most once. An erased member gets a mark
that refuses events which happened before the erasure, so that events still in
flight cannot bring the profile back.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import redis.asyncio as redis
from redis.exceptions import NoScriptError, RedisError

from gateway.events._keys import ProfileKeys
from gateway.events._profile import (
    APP_OPEN,
    ITEMS,
    LOCATION,
    POINTS,
    REDEMPTIONS,
    STORE,
    HotProfile,
    at_ms,
    profile_from_hash,
)
from gateway.events._schema import (
    AppOpenEvent,
    Event,
    LocationPingEvent,
    PurchaseEvent,
    RedemptionEvent,
    StoreEnteredEvent,
)
from gateway.exceptions import StoreError

# KEYS: profile, applied ids (zset), erasure mark. ARGV: event id, occurred ms, now ms,
# profile TTL (s), replay window (ms), change document (JSON).
# Returns 1 applied, 0 already applied, -1 refused (happened before an erasure).
_APPLY = """
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
if tonumber(redis.call('GET', KEYS[3]) or '-1') >= tonumber(ARGV[2]) then return -1 end
local change = cjson.decode(ARGV[6])
for name, value in pairs(change.latest or {}) do
  local current = redis.call('HGET', KEYS[1], name)
  if not current or cjson.decode(current).at <= value.at then
    redis.call('HSET', KEYS[1], name, cjson.encode(value))
  end
end
for name, spec in pairs(change.recent or {}) do
  local current = redis.call('HGET', KEYS[1], name)
  local list = {}
  if current then list = cjson.decode(current) end
  for _, entry in ipairs(spec.add) do table.insert(list, entry) end
  for i, entry in ipairs(list) do entry.pos = i end
  table.sort(list, function(a, b)  -- newest first; ties keep their order (table.sort is unstable)
    if a.at ~= b.at then return a.at > b.at end
    return a.pos < b.pos
  end)
  local kept = {}
  for i = 1, math.min(#list, spec.cap) do list[i].pos = nil; kept[i] = list[i] end
  redis.call('HSET', KEYS[1], name, cjson.encode(kept))
end
for name, n in pairs(change.add or {}) do redis.call('HINCRBY', KEYS[1], name, n) end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[5]))
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


class Outcome(StrEnum):
    APPLIED = "applied"
    REPEATED = "repeated"  # applied before: a redelivery
    ERASED = "erased"  # happened before the member's erasure
    REFUSED = "refused"  # Redis refused the update (say, a key of another type); see `error`


@dataclass(frozen=True)
class ApplyResult:
    outcome: Outcome
    error: str | None = None


_OUTCOMES = {1: Outcome.APPLIED, 0: Outcome.REPEATED, -1: Outcome.ERASED}


def _result(reply: Any) -> ApplyResult:
    if isinstance(reply, Exception):
        return ApplyResult(Outcome.REFUSED, str(reply))
    return ApplyResult(_OUTCOMES[int(reply)])


class HotProfiles:
    """Members' hot profiles in Redis, one hash per member, kept for `ttl` after the last event."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        points_per_dollar: float,
        ttl: timedelta = timedelta(days=30),
        replay_window: timedelta = timedelta(days=1),
        max_items: int = 20,
        max_redemptions: int = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._rate = Decimal(str(points_per_dollar))
        self._ttl_s = int(ttl.total_seconds())
        self._replay_ms = int(replay_window.total_seconds() * 1000)
        self._caps = {ITEMS: max_items, REDEMPTIONS: max_redemptions}
        self._clock = clock
        # The script's name for EVALSHA; loaded on first use (see `apply_many`).
        self._sha = hashlib.sha1(_APPLY.encode(), usedforsecurity=False).hexdigest()

    async def get(self, member_id: str) -> HotProfile:
        keys = ProfileKeys.of(member_id)
        try:
            raw = await self._redis.hgetall(keys.profile)
        except RedisError as e:
            raise StoreError(f"hot profile read failed: {e}") from e
        return profile_from_hash(member_id, {_text(k): _text(v) for k, v in raw.items()})

    async def apply(self, event: Event) -> bool:
        """Apply one event; False when it was applied before or happened before an erasure."""
        [result] = await self.apply_many([event])
        if result.outcome is Outcome.REFUSED:
            raise StoreError(f"hot profile update refused: {result.error}")
        return result.outcome is Outcome.APPLIED

    async def apply_many(self, events: Sequence[Event]) -> list[ApplyResult]:
        """Apply events in order, in one round trip, with one result each.

        A connection problem raises `StoreError` (nothing is known to be applied);
        Redis refusing one event's update is that event's result, so one bad key
        does not hold up the others.
        """
        if not events:
            return []
        try:
            replies = await self._run_pipeline(events)
            if any(isinstance(reply, NoScriptError) for reply in replies):
                # A restarted or failed-over Redis forgot the script; repeating is idempotent.
                await self._redis.script_load(_APPLY)
                replies = await self._run_pipeline(events)
        except RedisError as e:
            raise StoreError(f"hot profile update failed: {e}") from e
        return [_result(reply) for reply in replies]

    async def _run_pipeline(self, events: Sequence[Event]) -> list[Any]:
        now_ms = int(self._clock() * 1000)
        async with self._redis.pipeline(transaction=False) as pipe:
            for event in events:
                keys = ProfileKeys.of(event.member_id).all()
                change = change_for(event, points_per_dollar=self._rate, caps=self._caps)
                pipe.evalsha(
                    self._sha, len(keys), *keys, event.event_id, at_ms(event.occurred_at), now_ms,
                    self._ttl_s, self._replay_ms, json.dumps(change, separators=(",", ":")),
                )
            return await pipe.execute(raise_on_error=False)

    async def erase(self, member_id: str) -> None:
        """Forget the member's hot profile; events that happened before now stay refused."""
        keys = ProfileKeys.of(member_id)
        now_ms = int(self._clock() * 1000)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(keys.profile, keys.applied)
                # Kept for `ttl`, which must outlast the ingestor's `dedup_ttl`: after
                # that, an event from before the erasure is refused at the door as too old.
                pipe.set(keys.erased, now_ms, ex=self._ttl_s)
                await pipe.execute()
        except RedisError as e:
            raise StoreError(f"hot profile erasure failed: {e}") from e


def change_for(event: Event, *, points_per_dollar: Decimal, caps: dict[str, int]) -> dict[str, Any]:
    """What one event changes in a profile, as the Lua script's change document."""
    at = at_ms(event.occurred_at)
    if isinstance(event, StoreEnteredEvent):
        return {"latest": {STORE: {"store_id": event.store_id, "at": at}}}
    if isinstance(event, AppOpenEvent):
        return {"latest": {APP_OPEN: {"at": at}}}
    if isinstance(event, LocationPingEvent):
        where = {"zone": event.zone, "lat": event.lat, "lon": event.lon}
        return {"latest": {LOCATION: {"at": at} | {k: v for k, v in where.items() if v is not None}}}
    if isinstance(event, RedemptionEvent):
        entry = {"offer_id": event.offer_id, "store_id": event.store_id, "at": at}
        return {"recent": {REDEMPTIONS: {"cap": caps[REDEMPTIONS], "add": [entry]}}}
    return _purchase_change(event, at, points_per_dollar, caps[ITEMS])


def _purchase_change(event: PurchaseEvent, at: int, rate: Decimal, cap: int) -> dict[str, Any]:
    items = []
    for item in event.items:
        entry: dict[str, Any] = {"store_id": event.store_id, "at": at}
        if item.category is not None:
            entry["category"] = item.category
        if item.product_id is not None:
            entry["product_id"] = item.product_id
        items.append(entry)
    # Whole points per purchase, rounded down, as the seed computes its balances.
    points = math.floor(event.total * rate)
    return {"recent": {ITEMS: {"cap": cap, "add": items}}, "add": {POINTS: points}}


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
