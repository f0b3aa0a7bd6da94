"""The hot profile: what the last few hours of events say about a member.

Plain frozen data, read back from the member's Redis hash. Each hash field holds
one JSON value; times are stored as epoch milliseconds (`at`) so that the Lua
script can compare them, and come back here as timezone-aware datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# Hash fields; the Lua script only knows them through the change documents.
STORE, LOCATION, APP_OPEN, ITEMS, REDEMPTIONS, POINTS = (
    "store", "location", "app_open", "items", "redemptions", "points",
)


@dataclass(frozen=True)
class StoreVisit:
    store_id: str
    at: datetime


@dataclass(frozen=True)
class Location:
    at: datetime
    zone: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class RecentItem:
    """One line of a recent purchase; the product or the category may be unknown."""

    store_id: str
    at: datetime
    category: str | None = None
    product_id: str | None = None


@dataclass(frozen=True)
class RecentRedemption:
    offer_id: str
    store_id: str
    at: datetime


@dataclass(frozen=True)
class HotProfile:
    """A member's real-time context; every field empty when nothing has happened yet.

    `points_since_seed` counts points from purchases applied here, which the
    seeded balance (the member store's snapshot) does not include yet.
    """

    member_id: str
    last_store: StoreVisit | None = None
    location: Location | None = None
    last_app_open: datetime | None = None
    recent_items: tuple[RecentItem, ...] = ()  # newest first
    recent_redemptions: tuple[RecentRedemption, ...] = ()  # newest first
    points_since_seed: int = 0

    @property
    def is_empty(self) -> bool:
        return self == HotProfile(self.member_id)

    @property
    def recent_categories(self) -> tuple[str, ...]:
        """Categories bought lately, newest first, each once."""
        seen = dict.fromkeys(i.category for i in self.recent_items if i.category is not None)
        return tuple(seen)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def at_ms(moment: datetime) -> int:
    # Integer arithmetic: `timestamp() * 1000` can land just below a whole millisecond.
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: float) -> datetime:
    return _EPOCH + timedelta(milliseconds=int(ms))


def profile_from_hash(member_id: str, fields: Mapping[str, str]) -> HotProfile:
    def doc(name: str) -> Any:
        raw = fields.get(name)
        return json.loads(raw) if raw else None

    store, location, app_open = doc(STORE), doc(LOCATION), doc(APP_OPEN)
    return HotProfile(
        member_id=member_id,
        last_store=StoreVisit(store["store_id"], from_ms(store["at"])) if store else None,
        location=_location(location) if location else None,
        last_app_open=from_ms(app_open["at"]) if app_open else None,
        recent_items=tuple(_item(d) for d in _entries(doc(ITEMS))),
        recent_redemptions=tuple(
            RecentRedemption(d["offer_id"], d["store_id"], from_ms(d["at"]))
            for d in _entries(doc(REDEMPTIONS))
        ),
        points_since_seed=int(fields.get(POINTS, "0")),
    )


def _entries(value: Any) -> list[dict[str, Any]]:
    # Lua's cjson writes an empty table as `{}`, not `[]`.
    return value if isinstance(value, list) else []


def _location(d: dict[str, Any]) -> Location:
    return Location(from_ms(d["at"]), zone=d.get("zone"), lat=d.get("lat"), lon=d.get("lon"))


def _item(d: dict[str, Any]) -> RecentItem:
    return RecentItem(
        d["store_id"], from_ms(d["at"]), category=d.get("category"), product_id=d.get("product_id")
    )
