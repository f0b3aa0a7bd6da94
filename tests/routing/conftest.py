from __future__ import annotations

from pathlib import Path

import pytest

from gateway.smallmodel import IntentModel, load_embedder, load_intent_model


@pytest.fixture(scope="session")
def intent_model(trained_models_dir: Path) -> IntentModel:
    return load_intent_model(trained_models_dir, "latest", embedder=load_embedder())
