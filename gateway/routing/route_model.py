"""Serving the route model: which route a turn should take, with a confidence.

    small_model  a personal lookup an approved template answers from live data
    cache        a question whose answer is the same for every member (semantic cache, then the LLM)
    llm          an open or personal question that needs generation and is never shared

The model is a multinomial logistic regression over the query's MiniLM
embedding (the one vector the turn computes, shared with the intent model and
the semantic cache) and a few context features: the channel (one-hot), whether
this is a later turn of a conversation, whether the channel sent a store, and
the message length. Serving needs only numpy.

    models_dir/router/
    ├── LATEST
    └── v20261123T112233Z-1a2b3c4d/   v<UTC time>-<first 8 hex of the labelled set's sha256>
        ├── weights.npz               coef (routes × (384 + context)), intercept (routes), float64
        ├── model.json                the card: routes, features, embedder id, hashes, metrics
        └── report.json               the held-out evaluation

No pickle: loading parses numbers and JSON only, and the card's sha256 of the
weights catches a truncated or swapped file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from gateway.exceptions import ModelError
from gateway.smallmodel.artifact import (
    CARD_FILE,
    LATEST_FILE,
    REPORT_FILE,
    WEIGHTS_FILE,
    LinearHead,
    Matrix,
    TrainedHeadCard,
    read_head,
    resolve_version_in,
    write_version_folder,
)
from gateway.turn import Turn

#: In the order scikit-learn sorts them, which is the column order of the weights.
ROUTES: Final = ("cache", "llm", "small_model")
ROUTE_CHANNELS: Final = ("app", "associate", "kiosk")
CONTEXT_FEATURES: Final = (
    *(f"channel={c}" for c in ROUTE_CHANNELS), "multi_turn", "has_store", "length_words/30"
)
SAFE_ROUTE: Final = "llm"
_LENGTH_CAP_WORDS = 30
_HINT = "run `loyalty-gateway train`"

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class RouteFeatures:
    """What the route model knows about a turn besides its text."""

    channel: str
    multi_turn: bool = False
    has_store: bool = False
    length_words: int = 0

    @classmethod
    def of(
        cls, text: str, channel: str, *, multi_turn: bool = False, has_store: bool = False
    ) -> RouteFeatures:
        return cls(channel, multi_turn, has_store, len(text.split()))

    @classmethod
    def of_turn(cls, turn: Turn) -> RouteFeatures:
        users = sum(1 for m in turn.messages if m.role == "user")
        return cls.of(
            turn.query, turn.channel.value, multi_turn=users > 1, has_store=turn.metadata.store_id is not None
        )

    def vector(self) -> Vector:
        """The context part of the model input; a channel it was not trained on is all zeros."""
        channel = [1.0 if self.channel == c else 0.0 for c in ROUTE_CHANNELS]
        length = min(self.length_words, _LENGTH_CAP_WORDS) / _LENGTH_CAP_WORDS
        return np.asarray([*channel, float(self.multi_turn), float(self.has_store), length], dtype=np.float32)


def model_inputs(embeddings: Vector, features: Sequence[RouteFeatures]) -> Vector:
    """Embedding rows with their context features appended: the matrix the head scores."""
    if embeddings.ndim == 1:
        embeddings = embeddings.reshape(1, -1)
    context = np.stack([f.vector() for f in features]) if features else np.zeros((0, len(CONTEXT_FEATURES)))
    return np.hstack([embeddings.astype(np.float32), context.astype(np.float32)])


@dataclass(frozen=True)
class RoutePrediction:
    route: str  # the most probable route
    confidence: float  # its probability

    def served(self, min_confidence: float) -> str:
        """The route to take: an unsure prediction takes the safe route (the LLM, never shared)."""
        return self.route if self.confidence >= min_confidence else SAFE_ROUTE


class RouterCard(TrainedHeadCard):
    """The route model's card."""

    kind: Literal["router-linear-softmax"] = "router-linear-softmax"
    routes: tuple[str, ...] = ROUTES
    context_features: tuple[str, ...] = CONTEXT_FEATURES


class RouteModel:
    """A trained route head; see `load_route_model`."""

    def __init__(self, card: RouterCard, head: LinearHead) -> None:
        self.card = card
        self._head = head

    @property
    def version(self) -> str:
        return self.card.version

    def predict_vector(self, embedding: Vector, features: RouteFeatures) -> RoutePrediction:
        """The route for one turn from its (already computed) query embedding."""
        return self.predict_many(embedding.reshape(1, -1), [features])[0]

    def predict_many(self, embeddings: Vector, features: Sequence[RouteFeatures]) -> list[RoutePrediction]:
        return predict_routes(self._head, embeddings, features)


def predict_routes(
    head: LinearHead, embeddings: Vector, features: Sequence[RouteFeatures]
) -> list[RoutePrediction]:
    """Argmax route and its probability, one per row of `embeddings`."""
    probabilities: Matrix = head.probabilities(model_inputs(embeddings, features))
    best = probabilities.argmax(axis=1)
    return [RoutePrediction(ROUTES[int(i)], float(probabilities[row, i])) for row, i in enumerate(best)]


def router_root(models_dir: Path) -> Path:
    return models_dir / "router"


def has_route_model(models_dir: Path) -> bool:
    return (router_root(models_dir) / LATEST_FILE).is_file()


def write_route_model(models_dir: Path, card: RouterCard, weights: bytes, report: dict[str, Any]) -> Path:
    """A complete version folder (staged, then renamed), then LATEST pointed at it."""
    files = {
        WEIGHTS_FILE: weights,
        CARD_FILE: (card.model_dump_json(indent=2) + "\n").encode("utf-8"),
        REPORT_FILE: (json.dumps(report, indent=2) + "\n").encode("utf-8"),
    }
    return write_version_folder(router_root(models_dir), card.version, files, kind="route model")


def load_route_model(models_dir: Path, version: str = "latest", *, embedder_model_id: str) -> RouteModel:
    """Load `models_dir/router/<version>`; `ModelError` if missing, corrupt or of another embedding space."""
    root = router_root(models_dir)
    folder = root / resolve_version_in(root, version, kind="route model")
    card, head = read_head(
        folder, RouterCard, lambda c: (len(c.routes), c.embedding_dim + len(c.context_features)),
        kind="route model",
    )
    if card.embedder_model_id != embedder_model_id:
        raise ModelError(
            f"route model {card.version} was trained on embeddings {card.embedder_model_id}, "
            f"but the loaded embedder is {embedder_model_id}: {_HINT}"
        )
    if card.routes != ROUTES or card.context_features != CONTEXT_FEATURES:
        raise ModelError(f"route model {card.version} has routes or features this code cannot read: {_HINT}")
    return RouteModel(card, head)


