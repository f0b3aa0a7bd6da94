from __future__ import annotations

from pathlib import Path

import pytest

from gateway.routing.route_model import RouteModel, load_route_model
from gateway.smallmodel import Embedder, IntentModel, load_intent_model


@pytest.fixture(scope="session")
def intent_model(trained_models_dir: Path, embedder: Embedder) -> IntentModel:
    return load_intent_model(trained_models_dir, "latest", embedder=embedder)


@pytest.fixture(scope="session")
def route_model(trained_models_dir: Path, embedder: Embedder) -> RouteModel:
    return load_route_model(trained_models_dir, embedder_model_id=embedder.model_id)
