"""Shared test set-up: offline by construction, async tests on asyncio."""

from __future__ import annotations

import os

# Set before any test module imports litellm, sentence-transformers or guardrails.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


# -- heavy, shared, built once per test session ---------------------------------

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import redis  # noqa: E402

from gateway.policy.loader import PolicySet, load_policy_set  # noqa: E402
from gateway.settings import PROJECT_ROOT  # noqa: E402
from gateway.smallmodel import Embedder  # noqa: E402
from tests.support.models import Trained  # noqa: E402

TEST_REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, flushed per session
SEEDED_HOUSEHOLDS = 30
INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"


@pytest.fixture(scope="session")
def policies() -> PolicySet:
    return load_policy_set(PROJECT_ROOT / "policies")


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, policies: PolicySet) -> Path:
    from gateway.seed import seed_demo

    path = tmp_path_factory.mktemp("seed") / "loyalty.db"
    seed_demo(path, program=policies.program, margins=policies.margins,
              households=SEEDED_HOUSEHOLDS, progress=False)
    return path


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged MiniLM, loaded once for the whole session."""
    from gateway.smallmodel import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def trained(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """One intent model trained on the shipped labelled set, shared by every test."""
    from gateway.smallmodel import train_intent_model

    root = tmp_path_factory.mktemp("trained")
    report = train_intent_model(
        INTENT_DATA, root / "models", embedder, seed=7, report_path=root / "report.md"
    )
    return Trained(report=report, models_dir=root / "models", markdown=root / "report.md")


@pytest.fixture(scope="session")
def trained_models_dir(trained: Trained) -> Path:
    return trained.models_dir


@pytest.fixture(scope="session")
def clean_test_redis() -> Iterator[str]:
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    client.close()
    yield TEST_REDIS_URL
