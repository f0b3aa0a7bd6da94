"""A real gateway on loopback: seeded SQLite, trained model, real Redis, loopback upstream."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.composition import LoadedModels
from gateway.routing.route_model import load_route_model
from gateway.settings import Settings, load_settings
from gateway.smallmodel import Embedder, load_intent_model
from tests.support import Script, UpstreamServer
from tests.support.serving import ServedApp

UPSTREAM_REPLY = "Great question! Our bakery bakes fresh bread every morning."


@dataclass(frozen=True)
class RunningGateway:
    url: str
    settings: Settings

    @property
    def api(self) -> str:
        return f"{self.url}/v1"


@pytest.fixture(scope="session")
def upstream() -> Iterator[UpstreamServer]:
    with UpstreamServer(Script(reply=UPSTREAM_REPLY)) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_upstream_script(upstream: UpstreamServer) -> None:
    upstream.configure(Script(reply=UPSTREAM_REPLY))
    upstream.clear()


def gateway_settings(
    base: Path, seeded_db: Path, models_dir: Path, redis_url: str, **extra: object
) -> Settings:
    return load_settings(
        _env_file=None,
        data_dir=base,
        database_url=f"sqlite:///{seeded_db}",
        audit_url=f"sqlite:///{base / 'audit.db'}",
        redis_url=redis_url,
        models_dir=models_dir,
        **extra,
    )


@pytest.fixture(scope="session")
def loaded_models(trained_models_dir: Path, onnx_embedder: Embedder) -> LoadedModels:
    """Served as in production: ONNX Runtime embeddings (the heads were trained on the same space)."""
    return LoadedModels(
        onnx_embedder, load_intent_model(trained_models_dir, "latest", embedder=onnx_embedder),
        router=load_route_model(trained_models_dir, embedder_model_id=onnx_embedder.model_id),
    )


@pytest.fixture(scope="session")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, seeded_db: Path, trained_models_dir: Path,
    clean_test_redis: str, loaded_models: LoadedModels, upstream: UpstreamServer,
) -> Iterator[RunningGateway]:
    """The gateway with a hosted LLM: the loopback upstream."""
    settings = gateway_settings(
        tmp_path_factory.mktemp("gw-llm"), seeded_db, trained_models_dir, clean_test_redis,
        llm_model="test-model", llm_api_base=upstream.base_url, llm_api_key="sk-test-secret",
    )
    with ServedApp(create_app(settings, models=loaded_models)) as served:
        yield RunningGateway(served.url, settings)


@pytest.fixture(scope="session")
def gateway_without_llm(
    tmp_path_factory: pytest.TempPathFactory, seeded_db: Path, trained_models_dir: Path,
    clean_test_redis: str, loaded_models: LoadedModels,
) -> Iterator[RunningGateway]:
    """The default: no provider configured."""
    settings = gateway_settings(
        tmp_path_factory.mktemp("gw-none"), seeded_db, trained_models_dir, clean_test_redis
    )
    with ServedApp(create_app(settings, models=loaded_models)) as served:
        yield RunningGateway(served.url, settings)


@dataclass(frozen=True)
class DemoMember:
    member_id: str
    points: int
    tier: str


@pytest.fixture(scope="session")
def members(seeded_db: Path) -> list[DemoMember]:
    """Seeded members with points, most points first (each has distinct facts)."""
    with sqlite3.connect(seeded_db) as db:
        rows = db.execute(
            "SELECT member_id, points, tier FROM members WHERE points > 0 ORDER BY points DESC"
        ).fetchall()
    return [DemoMember(str(m), int(p), str(t)) for m, p, t in rows]
