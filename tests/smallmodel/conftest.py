"""Shared, expensive fixtures: the real MiniLM embedder and one trained model per session."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from gateway.context.prompts import PromptRegistry
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import (
    Embedder,
    IntentModel,
    load_intent_model,
)
from gateway.turn import Member, MemberContext, Offer, Purchase, RequestMetadata, StoreInfo
from tests.support.models import Trained

INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"


@pytest.fixture(scope="session")
def intent_model(trained: Trained, embedder: Embedder) -> IntentModel:
    return load_intent_model(trained.models_dir, embedder=embedder)


@pytest.fixture(scope="session")
def prompts() -> PromptRegistry:
    return PromptRegistry(PROJECT_ROOT / "prompts")


def _member(**changes: Any) -> Member:
    base = Member(
        member_id="M-1001",
        tier="Silver",
        points=1234,
        points_expiring=340,
        points_expire_on=date(2026, 12, 23),
        annual_spend=1940.50,
        next_tier="Gold",
        spend_to_next_tier=559.50,
        home_store_id="S-367",
    )
    return dataclasses.replace(base, **changes)


def _purchase(day: int, product: str, quantity: int = 1) -> Purchase:
    return Purchase(
        day=date(2026, 11, day),
        product=product,
        department="GROCERY",
        category="DAIRY",
        quantity=quantity,
        amount=4.99,
        store_id="S-367",
    )


OFFERS = (
    Offer("OFR-123", "Dairy days", "GROCERY", "FLUID MILK", 10, "Silver", date(2026, 12, 31)),
    Offer("OFR-456", "Bakery treat", "GROCERY", "BREAD", 15, "Silver", date(2026, 12, 15)),
)
PURCHASES = (
    _purchase(3, "BREAD"),
    _purchase(20, "FLUID MILK WHITE ONLY", 2),
    _purchase(21, "Bananas"),
    _purchase(10, "Eggs", 12),
    _purchase(12, "Cheddar"),
    _purchase(1, "Tomato soup", 3),
)
STORE = StoreInfo(store_id="S-367", name="Main Street store", hours="7am to 10pm every day")

ContextFactory = Callable[..., MemberContext]


@pytest.fixture
def make_context() -> ContextFactory:
    """A member context; keyword arguments replace context fields, `member=` takes a dict."""

    def build(**changes: Any) -> MemberContext:
        member = _member(**changes.pop("member", {}))
        context = MemberContext(
            member=member,
            recent_purchases=PURCHASES,
            offers=OFFERS,
            store=STORE,
            metadata=RequestMetadata(store_id="S-367"),
            now=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        )
        return dataclasses.replace(context, **changes)

    return build
