"""Shared, expensive fixtures: the real MiniLM embedder and one trained model per session."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from gateway.context.prompts import PromptRegistry
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import (
    Embedder,
    IntentModel,
    TrainReport,
    load_embedder,
    load_intent_model,
    train_intent_model,
)
from gateway.turn import Member, MemberContext, Offer, Purchase, RequestMetadata, StoreInfo

INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"


@dataclasses.dataclass(frozen=True)
class Trained:
    report: TrainReport
    models_dir: Path
    markdown: Path


@pytest.fixture(scope="session")
def embedder() -> Iterator[Embedder]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")  # the model loads from a local path; never the hub
        yield load_embedder()


@pytest.fixture(scope="session")
def trained(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    root = tmp_path_factory.mktemp("trained")
    report = train_intent_model(
        INTENT_DATA, root / "models", embedder, seed=7, report_path=root / "report.md"
    )
    return Trained(report=report, models_dir=root / "models", markdown=root / "report.md")


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
