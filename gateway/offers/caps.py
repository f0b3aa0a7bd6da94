"""Per-member offer impressions in Redis, for the frequency caps of the offer policy.

One hash per member and UTC day, `lg:cap:v1:<member id>:<YYYY-MM-DD>`, maps offer id
to the impressions of that day. A rolling window of N days reads the N newest hashes
in one MULTI/EXEC; recording writes today's hash and its TTL in one MULTI/EXEC, so a
reader never sees a count without its expiry. Each hash lives `window + 1` days after
its last write, so nothing outlives the window it counts for by more than a day.

Reading (when an answer is prepared) and recording (once it was shown) are separate
calls: two concurrent turns of the same member may both see the last free slot. The
caps are therefore exact for one member's sequential turns and may be exceeded by
the number of that member's turns in flight, which a chat client keeps at one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

import redis.asyncio as redis
from redis.exceptions import RedisError

from gateway.exceptions import StoreError

KEY_PREFIX = "lg:cap:v1:"
_DAY_S = 86_400
_GLOB_SPECIALS = str.maketrans({c: f"\\{c}" for c in "*?[]\\"})
T = TypeVar("T")


@dataclass(frozen=True)
class CapUsage:
    """What a member was shown: impressions per offer in the window, offers shown today."""

    impressions: Mapping[str, int]
    shown_today: frozenset[str]


class FrequencyCaps:
    """Counts offer impressions per member; the policy decides what the counts allow."""

    def __init__(self, client: redis.Redis, *, key_prefix: str = KEY_PREFIX) -> None:
        self._redis = client
        self._prefix = key_prefix

    def key(self, member_id: str, day: date) -> str:
        return f"{self._prefix}{member_id}:{day.isoformat()}"

    async def usage(self, member_id: str, today: date, *, window_days: int) -> CapUsage:
        """Impressions per offer over `window_days` days ending with `today`."""
        days = [today - timedelta(days=back) for back in range(window_days)]

        async def read() -> list[dict[bytes | str, bytes | str]]:
            async with self._redis.pipeline(transaction=True) as pipe:
                for day in days:
                    pipe.hgetall(self.key(member_id, day))
                result: list[dict[bytes | str, bytes | str]] = await pipe.execute()
                return result

        hashes = await self._call("read", read)
        impressions: dict[str, int] = {}
        for counts in hashes:
            for offer_id, count in counts.items():
                name = _text(offer_id)
                impressions[name] = impressions.get(name, 0) + int(count)
        return CapUsage(impressions, frozenset(_text(k) for k in hashes[0]) if hashes else frozenset())

    async def record(self, member_id: str, offer_ids: Sequence[str], *, day: date, window_days: int) -> None:
        """One impression of each offer (an offer named twice counts once) on `day`."""
        unique = list(dict.fromkeys(offer_ids))
        if not unique:
            return
        key = self.key(member_id, day)

        async def write() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                for offer_id in unique:
                    pipe.hincrby(key, offer_id, 1)
                pipe.expire(key, (window_days + 1) * _DAY_S)
                await pipe.execute()

        await self._call("write", write)

    async def forget(self, member_id: str) -> int:
        """Delete every count kept for the member (erasure); returns the keys deleted."""
        # The date suffix is spelled out so that member "1" never matches member "1:x".
        pattern = f"{self._prefix}{member_id.translate(_GLOB_SPECIALS)}:????-??-??"

        async def delete() -> int:
            keys = [key async for key in self._redis.scan_iter(match=pattern, count=500)]
            deleted: int = await self._redis.delete(*keys) if keys else 0
            return deleted

        return await self._call("erase", delete)

    async def _call(self, what: str, operation: Callable[[], Awaitable[T]]) -> T:
        try:
            return await operation()
        except RedisError as e:
            raise StoreError(f"offer frequency caps: {what} failed: {e}") from e


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
