"""The package's public surface is exactly what `__all__` says."""

from __future__ import annotations

import gateway.events


def test_exported_names_are_accurate() -> None:
    assert set(gateway.events.__all__) == {
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
    }
    assert len(gateway.events.__all__) == len(set(gateway.events.__all__))
    assert all(hasattr(gateway.events, name) for name in gateway.events.__all__)
