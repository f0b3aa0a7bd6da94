"""Serving the intent model: embed the question, score each intent, defer when unsure.

The decision rule lives here once (`decide`) and training evaluates with the
same function, so the held-out numbers in the report describe exactly what
serving does. Serving needs only numpy: scikit-learn is a training dependency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gateway.exceptions import ModelError
from gateway.smallmodel.artifact import LinearHead, Matrix, ModelCard, read_version
from gateway.smallmodel.embedder import Embedder, Vectors
from gateway.smallmodel.labels import OPEN, is_lookup


@dataclass(frozen=True)
class IntentPrediction:
    """The intent to act on and the model's probability for its best guess.

    When the best guess is a lookup intent but its probability is under the
    model's threshold, `intent` is `open` (the LLM answers) and `top_intent`
    keeps the guess that was turned down, for the route's reason and the audit.
    """

    intent: str
    confidence: float
    top_intent: str | None = None

    @property
    def deferred(self) -> bool:
        return self.top_intent is not None and self.top_intent != self.intent


def decide(labels: Sequence[str], probabilities: Matrix, threshold: float) -> list[IntentPrediction]:
    """Argmax per row; an unsure lookup becomes `open` (answering wrongly costs more)."""
    best = probabilities.argmax(axis=1)
    predictions = []
    for row, index in enumerate(best):
        top, confidence = labels[int(index)], float(probabilities[row, index])
        intent = OPEN if is_lookup(top) and confidence < threshold else top
        predictions.append(IntentPrediction(intent=intent, confidence=confidence, top_intent=top))
    return predictions


class IntentModel:
    """A trained intent head on top of an embedder; see `load_intent_model`."""

    def __init__(self, card: ModelCard, head: LinearHead, embedder: Embedder) -> None:
        if embedder.model_id != card.embedder_model_id:
            raise ModelError(
                f"intent model {card.version} was trained on embeddings {card.embedder_model_id}, "
                f"but the loaded embedder is {embedder.model_id}: run `loyalty-gateway train`"
            )
        self._card = card
        self._head = head
        self._embedder = embedder

    @property
    def version(self) -> str:
        return self._card.version

    @property
    def labels(self) -> tuple[str, ...]:
        return self._card.labels

    @property
    def threshold(self) -> float:
        return self._card.threshold

    @property
    def card(self) -> ModelCard:
        return self._card

    def predict(self, text: str) -> IntentPrediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[IntentPrediction]:
        if not texts:
            return []
        return decide(self.labels, self.probabilities(texts), self.threshold)

    def predict_vector(self, vector: Vectors) -> IntentPrediction:
        """The intent for an already computed embedding (the router embeds each turn once)."""
        probabilities = self._head.probabilities(vector.reshape(1, -1))
        return decide(self.labels, probabilities, self.threshold)[0]

    def probabilities(self, texts: Sequence[str]) -> Matrix:
        """One row per text, one column per label in `labels` order."""
        return self._head.probabilities(self._embedder.encode(texts))


def load_intent_model(models_dir: Path, version: str = "latest", *, embedder: Embedder) -> IntentModel:
    """Load `models_dir/intent/<version>` (`latest` follows the LATEST file).

    Raises `ModelError` when the version is missing, corrupt or was trained on a
    different embedding space.
    """
    card, head = read_version(models_dir, version)
    if not np.all(np.isfinite(head.coef)) or not np.all(np.isfinite(head.intercept)):
        raise ModelError(f"intent model {card.version} has non-finite weights: run `loyalty-gateway train`")
    return IntentModel(card, head, embedder)
