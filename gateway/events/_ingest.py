"""Accepting a batch: judge each event, then add the new ones to the stream exactly once.

One Lua script per batch checks each event id and adds the event to the stream
in the same atomic step, so two concurrent retries of one event cannot both get
in. The id is marked only after XADD succeeded: a failure in between can let a
retry add the event twice to the stream, never lose it, and the profile side
applies an event id at most once anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis.asyncio as redis
from redis.exceptions import RedisError

from gateway.events._keys import STREAM, seen_key
from gateway.events._schema import Event, Rejection, TimeWindow, judge_batch
from gateway.exceptions import PayloadTooLarge, StoreError

# KEYS[1] the stream, KEYS[2..] the ids' marks; ARGV[1] mark TTL (s), ARGV[2] MAXLEN,
# ARGV[3] accepted-at (epoch seconds, to the microsecond), ARGV[4] source,
# ARGV[5..] the events (JSON), in the order of KEYS[2..].
_ADD_NEW = """
local out = {}
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    out[i - 1] = 0
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*',
               'event', ARGV[i + 3], 'accepted_at', ARGV[3], 'source', ARGV[4])
    redis.call('SET', KEYS[i], '1', 'EX', ARGV[1])
    out[i - 1] = 1
  end
end
return out
"""


@dataclass(frozen=True)
class IngestResult:
    """The answer to one batch (HTTP 200 whenever the batch itself was readable)."""

    accepted: int
    duplicates: int
    rejected: list[Rejection] = field(default_factory=list)


class EventIngestor:
    """Validates batches and appends the accepted events to the stream.

    `max_batch` events per request at most (over it: 413). An event id is
    remembered for `dedup_ttl`; events older than that are refused, so a late
    retry can never count twice. The stream is trimmed to about `maxlen` entries.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        max_batch: int = 500,
        stream: str = STREAM,
        maxlen: int = 1_000_000,
        dedup_ttl: timedelta = timedelta(days=7),
        max_clock_skew: timedelta = timedelta(minutes=5),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._max_batch = max_batch
        self._stream = stream
        self._maxlen = maxlen
        self._dedup_ttl_s = int(dedup_ttl.total_seconds())
        self._window = TimeWindow(max_age=dedup_ttl, max_ahead=max_clock_skew)
        self._clock = clock
        self._add_new = client.register_script(_ADD_NEW)  # no I/O: the script loads on first use

    @property
    def stream(self) -> str:
        return self._stream

    async def ingest(self, raw_events: Sequence[object], *, source: str = "") -> IngestResult:
        """Judge every event; append the good, new ones. `source` names the sending channel."""
        if len(raw_events) > self._max_batch:
            raise PayloadTooLarge(
                f"{len(raw_events)} events in one batch; the limit is {self._max_batch}",
                code="too_many_events",
            )
        now = datetime.fromtimestamp(self._clock(), UTC)
        good, rejected = judge_batch(list(raw_events), window=self._window, now=now)
        added = await self._append(good, source=source)
        return IngestResult(accepted=added, duplicates=len(good) - added, rejected=rejected)

    async def _append(self, good: list[tuple[int, Event]], *, source: str) -> int:
        if not good:
            return 0
        keys = [self._stream, *(seen_key(self._stream, event.event_id) for _, event in good)]
        payloads = [event.model_dump_json() for _, event in good]
        # Stamped as the events are handed to the stream: freshness is measured from here.
        accepted_at = f"{self._clock():.6f}"
        args: list[str | int] = [self._dedup_ttl_s, self._maxlen, accepted_at, source, *payloads]
        try:
            flags = await self._add_new(keys=keys, args=args)
        except RedisError as e:
            raise StoreError(f"the event stream is unavailable: {e}") from e
        return sum(int(flag) for flag in flags)
