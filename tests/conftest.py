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
ROUTING_DATA = PROJECT_ROOT / "evals" / "routing" / "queries.jsonl"


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
def trained(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory, policies: PolicySet) -> Trained:
    """One intent model and one route model trained on the shipped labelled sets, shared by every test."""
    from gateway.routing.train_router import train_route_model
    from gateway.smallmodel import train_intent_model

    root = tmp_path_factory.mktemp("trained")
    report = train_intent_model(
        INTENT_DATA, root / "models", embedder, seed=7, report_path=root / "report.md"
    )
    train_route_model(
        ROUTING_DATA, root / "models", embedder, min_confidence=policies.routing.router.min_confidence
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


@pytest.fixture(scope="session")
def onnx_encoder_dir(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged MiniLM exported to ONNX once per session (checked against `embedder`)."""
    from gateway.smallmodel.onnx_export import ensure_onnx_encoder

    folder, _ = ensure_onnx_encoder(tmp_path_factory.mktemp("onnx") / "models", reference=embedder)
    return folder


@pytest.fixture(scope="session")
def onnx_embedder(onnx_encoder_dir: Path) -> Embedder:
    """The serving backend: ONNX Runtime on the exported encoder, same embedding space as `embedder`."""
    from gateway.smallmodel.onnx_embedder import load_onnx_embedder

    return load_onnx_embedder(onnx_encoder_dir)


@pytest.fixture(scope="session")
def onnx_models_dir(
    trained_models_dir: Path, onnx_encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """`trained_models_dir` plus the ONNX encoder (linked, not copied): `load_models` serves it with ORT."""
    root = tmp_path_factory.mktemp("onnx-served") / "models"
    root.mkdir()
    for child in trained_models_dir.iterdir():
        (root / child.name).symlink_to(child, target_is_directory=child.is_dir())
    (root / "encoder").symlink_to(onnx_encoder_dir.parent, target_is_directory=True)
    return root
