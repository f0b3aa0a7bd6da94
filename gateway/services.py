"""What the API needs at request time, built once by `gateway/composition.py`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.api.keys import KeyRing
from gateway.decisioning.service import OfferService
from gateway.events import EventIngestor
from gateway.home_offers import HomeOffers
from gateway.monitoring import GatewayMetrics
from gateway.pipeline import Pipeline
from gateway.policy.live import LivePolicies
from gateway.settings import Settings

ReadinessCheck = Callable[[], Awaitable[None]]
Closer = Callable[[], Awaitable[None]]


@dataclass
class Services:
    settings: Settings
    pipeline: Pipeline
    keys: KeyRing
    metrics: GatewayMetrics
    stream_pieces: Callable[[str], Sequence[str]]
    policies: LivePolicies[Any]
    offers: OfferService
    home_offers: HomeOffers
    events: EventIngestor
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    closers: list[Closer] = field(default_factory=list)

    async def close(self) -> None:
        for close in reversed(self.closers):
            await close()
