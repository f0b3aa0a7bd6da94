"""Serving intent models by name: the version that answers, an optional shadow, swaps without a restart.

    registry = ModelRegistry(models_dir, embedder, serving=load_intent_model(models_dir, embedder=embedder))
    registry.predict(text)          # the Router's classifier: always the serving version
    registry.serve("v2026…")        # load, check, then swap: the next prediction uses it
    registry.set_shadow("v2026…")   # a candidate that predicts on every turn but never answers

A swap replaces one immutable `_Slots` object in a single assignment, so a
prediction sees either the old pair or the new one, never half of each; a
version is fully loaded and checked before it is swapped in, so a bad version
never serves. Versions are the folders `models_dir/intent/<version>/` that
`loyalty-gateway train` writes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gateway.exceptions import ModelError, NotFound
from gateway.smallmodel.artifact import LATEST_FILE, ModelCard, intent_root, read_version
from gateway.smallmodel.embedder import Embedder, Vectors
from gateway.smallmodel.intent import IntentModel, IntentPrediction, load_intent_model

#: `ModelError.code` for a version that exists but cannot serve here (HTTP 409).
UNUSABLE = "model_unusable"
_VERSION = re.compile(r"^v\d{8}T\d{6}Z-[0-9a-f]{8}$")


@dataclass(frozen=True)
class _Slots:
    serving: IntentModel
    shadow: IntentModel | None


@dataclass(frozen=True)
class VersionInfo:
    version: str
    trained_at: str
    metrics: dict[str, float]
    compatible: bool  # trained on the embedding space loaded here


class ModelRegistry:
    """The serving intent model (and its shadow); implements the Router's classifier interface."""

    def __init__(self, models_dir: Path, embedder: Embedder, serving: IntentModel) -> None:
        self._models_dir = models_dir
        self._embedder = embedder
        self._slots = _Slots(serving, None)
        self._swap = threading.Lock()  # one writer at a time; readers take no lock

    @property
    def version(self) -> str:
        return self._slots.serving.version

    @property
    def serving(self) -> IntentModel:
        return self._slots.serving

    @property
    def shadow(self) -> IntentModel | None:
        return self._slots.shadow

    def predict(self, text: str) -> IntentPrediction:
        return self._slots.serving.predict(text)

    def predict_many(self, texts: Sequence[str]) -> list[IntentPrediction]:
        return self._slots.serving.predict_many(texts)

    def predict_vector(self, vector: Vectors) -> IntentPrediction:
        return self._slots.serving.predict_vector(vector)

    def serve(self, version: str) -> IntentModel:
        """Load `version` and make it the one that answers; the shadow stays as it is."""
        model = self.load(version)
        with self._swap:
            self._slots = _Slots(model, self._slots.shadow)
        return model

    def set_shadow(self, version: str | None) -> IntentModel | None:
        """Run `version` in shadow from the next turn on; None stops the shadow."""
        model = self.load(version) if version is not None else None
        with self._swap:
            self._slots = _Slots(self._slots.serving, model)
        return model

    def load(self, version: str) -> IntentModel:
        """A checked model for `version`: `NotFound` if there is no such version,
        `ModelError(code=UNUSABLE)` if it exists but cannot serve with this embedder."""
        if not _VERSION.match(version) or not (intent_root(self._models_dir) / version).is_dir():
            raise NotFound(
                f"no intent model version {version!r} in {intent_root(self._models_dir)}; "
                f"available: {', '.join(self.available()) or 'none'}"
            )
        try:
            card, _ = read_version(self._models_dir, version)
        except ModelError as e:
            raise ModelError(f"intent model {version} cannot be loaded: {e.message}", code=UNUSABLE) from e
        if card.embedder_model_id != self._embedder.model_id:
            raise ModelError(
                f"intent model {version} was trained on embeddings {card.embedder_model_id}, "
                f"but this gateway serves {self._embedder.model_id}: retrain it on this embedder",
                code=UNUSABLE,
            )
        return load_intent_model(self._models_dir, version, embedder=self._embedder)

    def available(self) -> list[str]:
        root = intent_root(self._models_dir)
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.is_dir() and _VERSION.match(p.name))

    def latest(self) -> str | None:
        try:
            return (intent_root(self._models_dir) / LATEST_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def describe(self) -> list[VersionInfo]:
        """Every version on disk with its held-out figures; unreadable ones are left out."""
        infos = []
        for version in self.available():
            try:
                card, _ = read_version(self._models_dir, version)
            except ModelError:
                continue
            infos.append(_info(card, compatible=card.embedder_model_id == self._embedder.model_id))
        return infos


def _info(card: ModelCard, *, compatible: bool) -> VersionInfo:
    return VersionInfo(card.version, card.trained_at.isoformat(), dict(card.metrics), compatible)
