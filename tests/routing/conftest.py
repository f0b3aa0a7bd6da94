from __future__ import annotations

from pathlib import Path

import pytest

from gateway.smallmodel import Embedder, IntentModel, load_intent_model


@pytest.fixture(scope="session")
def intent_model(trained_models_dir: Path, embedder: Embedder) -> IntentModel:
    return load_intent_model(trained_models_dir, "latest", embedder=embedder)
