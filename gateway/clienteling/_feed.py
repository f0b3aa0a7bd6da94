"""Store notifications over Redis pub/sub: one channel per store, `notifications:store:{store_id}`.

Pub/sub reaches every gateway process subscribed to the store's channel, so a
tablet connected to any process gets a notification made by any other. It keeps
nothing: a tablet that is not connected when a member walks in misses that
notification, which is what a "they just walked in" message should do.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from gateway.exceptions import StoreError

CHANNEL_PREFIX = "notifications:store:"


def channel_for(store_id: str) -> str:
    return f"{CHANNEL_PREFIX}{store_id}"


class StoreFeed:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    async def publish(self, store_id: str, notification: Mapping[str, Any]) -> int:
        """Send to every tablet subscribed now; returns how many subscriptions received it."""
        try:
            receivers: int = await self._redis.publish(channel_for(store_id), json.dumps(notification))
        except RedisError as e:
            raise StoreError(f"store notification not sent: {e}") from e
        return receivers

    async def subscribe(self, store_id: str) -> Subscription:
        """Subscribed when this returns: nothing published afterwards is missed."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel_for(store_id))
        except RedisError as e:
            await _disconnect(pubsub)
            raise StoreError(f"cannot subscribe to the store's notifications: {e}") from e
        return Subscription(pubsub)


class Subscription:
    """One tablet's subscription; `close()` (always called, also on disconnect) unsubscribes."""

    def __init__(self, pubsub: redis.client.PubSub) -> None:
        self._pubsub = pubsub
        self._closed = False

    async def notifications(self) -> AsyncIterator[dict[str, Any]]:
        try:
            async for message in self._pubsub.listen():
                if message.get("type") == "message":
                    yield json.loads(message["data"])
        except RedisError as e:
            raise StoreError(f"store notifications interrupted: {e}") from e
        finally:
            await self.close()

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await _disconnect(self._pubsub)


async def _disconnect(pubsub: redis.client.PubSub) -> None:
    """Closing the subscription's own connection ends the subscription with it (redis-py
    drops the connection rather than reuse a subscribed one)."""
    await pubsub.aclose()  # type: ignore[no-untyped-call]  # untyped in redis-py 8.1
