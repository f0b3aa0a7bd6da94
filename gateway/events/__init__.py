"""Real-time events: `POST /v1/events` → a Redis stream → each member's hot profile.

    EventIngestor   validates a batch event by event; appends new ones to the stream once
    EventConsumer   the background task (one per process, one consumer group) that applies them
    HotProfiles     the hot-profile store: get, apply (at most once per event id), erase
    HotProfile      what the context stage reads: last store, location, recent items, points

The wire format is in `gateway.events._schema` (one pydantic model per event type,
unknown keys refused); Redis key names in `gateway.events._keys`.
"""

from gateway.events._consumer import AppliedEvent, EventConsumer, default_consumer_name
from gateway.events._ingest import EventIngestor, IngestResult
from gateway.events._keys import STREAM
from gateway.events._profile import HotProfile, Location, RecentItem, RecentRedemption, StoreVisit
from gateway.events._profiles import ApplyResult, HotProfiles, Outcome
from gateway.events._schema import (
    AppOpenEvent,
    Event,
    LocationPingEvent,
    PurchaseEvent,
    PurchaseItem,
    RedemptionEvent,
    Rejection,
    StoreEnteredEvent,
)

__all__ = [
    "STREAM",
    "AppOpenEvent",
    "AppliedEvent",
    "ApplyResult",
    "Event",
    "EventConsumer",
    "EventIngestor",
    "HotProfile",
    "HotProfiles",
    "IngestResult",
    "Location",
    "LocationPingEvent",
    "Outcome",
    "PurchaseEvent",
    "PurchaseItem",
    "RecentItem",
    "RecentRedemption",
    "RedemptionEvent",
    "Rejection",
    "StoreEnteredEvent",
    "StoreVisit",
    "default_consumer_name",
]
