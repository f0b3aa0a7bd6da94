from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from gateway.exceptions import ModelError
from gateway.smallmodel import OPEN, Embedder, IntentModel, load_intent_model
from gateway.smallmodel.dataset import load_dataset
from gateway.smallmodel.embedder import Vectors
from gateway.smallmodel.evaluate import evaluate
from gateway.smallmodel.intent import decide

from .conftest import INTENT_DATA, Trained


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("could you tell me how many points I've got please", "points_balance"),
        ("what tier is this customer", "tier_status"),
        ("what's a good recipe for lasagna", OPEN),
        ("how do points work in general?", OPEN),
        ("tell me a joke about bananas", OPEN),
    ],
)
def test_predicts_the_intent(intent_model: IntentModel, text: str, intent: str) -> None:
    assert intent_model.predict(text).intent == intent


def test_confidence_is_a_probability(intent_model: IntentModel) -> None:
    prediction = intent_model.predict("how many points do I have right now")
    assert 0.0 <= prediction.confidence <= 1.0
    assert prediction.top_intent == "points_balance"


def test_an_unsure_lookup_is_deferred_to_open() -> None:
    labels = ("open", "points_balance", "tier_status")
    probabilities = np.array([[0.1, 0.6, 0.3], [0.05, 0.9, 0.05], [0.5, 0.3, 0.2]])
    served = decide(labels, probabilities, threshold=0.7)
    assert [p.intent for p in served] == ["open", "points_balance", "open"]
    assert served[0].deferred and served[0].top_intent == "points_balance"
    assert not served[2].deferred  # open with low confidence is still open, not a deferral


def test_saved_and_loaded_model_reproduces_the_held_out_results(
    intent_model: IntentModel, trained: Trained
) -> None:
    examples = load_dataset(INTENT_DATA).examples
    held = [examples[i] for i in trained.report.heldout_examples]
    predicted = [p.intent for p in intent_model.predict_many([e.text for e in held])]
    again = evaluate(intent_model.labels, [e.intent for e in held], predicted)
    assert again.confusion == trained.report.served.confusion
    assert intent_model.version == trained.report.version
    assert intent_model.threshold == trained.report.threshold


def test_latest_and_explicit_version_load_the_same_model(
    intent_model: IntentModel, trained: Trained, embedder: Embedder
) -> None:
    explicit = load_intent_model(trained.models_dir, trained.report.version, embedder=embedder)
    texts = ["points?", "store hours", "who won the game"]
    np.testing.assert_array_equal(explicit.probabilities(texts), intent_model.probabilities(texts))


@pytest.fixture
def models_copy(trained: Trained, tmp_path: Path) -> Path:
    shutil.copytree(trained.models_dir, tmp_path / "models")
    return tmp_path / "models"


def _version_folder(models_dir: Path) -> Path:
    root = models_dir / "intent"
    return root / (root / "LATEST").read_text().strip()


def test_a_corrupt_model_json_says_to_retrain(models_copy: Path, embedder: Embedder) -> None:
    card = _version_folder(models_copy) / "model.json"
    card.write_text(card.read_text()[:-40])
    with pytest.raises(ModelError, match="run `loyalty-gateway train`"):
        load_intent_model(models_copy, embedder=embedder)


def test_an_unknown_key_in_model_json_is_rejected(models_copy: Path, embedder: Embedder) -> None:
    card = _version_folder(models_copy) / "model.json"
    card.write_text(card.read_text().replace('"threshold"', '"treshold"'))
    with pytest.raises(ModelError, match="missing or corrupt"):
        load_intent_model(models_copy, embedder=embedder)


def test_tampered_weights_are_rejected(models_copy: Path, embedder: Embedder) -> None:
    weights = _version_folder(models_copy) / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-10])
    with pytest.raises(ModelError, match="weights do not match"):
        load_intent_model(models_copy, embedder=embedder)


def test_no_trained_model_says_to_retrain(tmp_path: Path, embedder: Embedder) -> None:
    with pytest.raises(ModelError, match="run `loyalty-gateway train`"):
        load_intent_model(tmp_path, embedder=embedder)


@pytest.mark.parametrize("version", ["../../etc", "v1", "vlatest"])
def test_a_version_name_must_look_like_one(tmp_path: Path, embedder: Embedder, version: str) -> None:
    with pytest.raises(ModelError, match="is not an intent model version"):
        load_intent_model(tmp_path, version, embedder=embedder)


class _OtherSpace:
    """An embedder of a different embedding space (same vectors, another id)."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner

    @property
    def model_id(self) -> str:
        return "bert-L12-H768:0000000000000000"

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self._inner.encode(texts)


def test_a_model_refuses_an_embedder_of_another_space(trained: Trained, embedder: Embedder) -> None:
    with pytest.raises(ModelError, match="trained on embeddings"):
        load_intent_model(trained.models_dir, embedder=_OtherSpace(embedder))
