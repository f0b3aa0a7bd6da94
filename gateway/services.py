"""What the API needs at request time, built once by `gateway/composition.py`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.api.keys import KeyRing
from gateway.audit import AnswerFeedbackService
from gateway.clienteling import StoreFeed
from gateway.consent import ConsentPreferences
from gateway.consent.erasure import Erasure
from gateway.decisioning.service import OfferService
from gateway.events import EventIngestor
from gateway.home_offers import HomeOffers
from gateway.monitoring import GatewayMetrics
from gateway.pipeline import Pipeline
from gateway.policy.live import LivePolicies
from gateway.settings import Settings
from gateway.smallmodel.registry import ModelRegistry

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
    answer_feedback: AnswerFeedbackService | None = None  # thumbs and corrections into the audit chain
    intent_models: ModelRegistry | None = None  # serving and shadow intent versions, swapped live
    consent: ConsentPreferences | None = None  # members' consent per purpose (GET/PUT)
    erasure: Erasure | None = None  # DELETE /v1/members/{id}
    store_feed: StoreFeed | None = None  # store tablets' notifications (SSE)
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    closers: list[Closer] = field(default_factory=list)

    async def close(self) -> None:
        for close in reversed(self.closers):
            await close()
