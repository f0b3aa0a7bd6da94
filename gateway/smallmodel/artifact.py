"""On-disk format of a trained intent model: plain arrays and JSON, never pickle.

    models_dir/intent/
    ├── LATEST                         the version name serving loads by default
    └── v20261123T112233Z-1a2b3c4d/    v<UTC time>-<first 8 hex of the data's sha256>
        ├── weights.npz                coef (labels × dim), intercept (labels), float64
        ├── model.json                 the card: labels, threshold, embedder id, hashes, metrics
        └── report.json                the full held-out evaluation

Loading a pickle runs code; loading these only parses numbers and JSON
(`np.load(allow_pickle=False)`). The card carries the sha256 of the weights file,
so a truncated or swapped file is caught before it serves a single prediction.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.exceptions import ModelError

WEIGHTS_FILE = "weights.npz"
CARD_FILE = "model.json"
REPORT_FILE = "report.json"
LATEST_FILE = "LATEST"
_VERSION = re.compile(r"^v\d{8}T\d{6}Z-[0-9a-f]{8}$")
_RETRAIN_HINT = "run `loyalty-gateway train`"

Matrix = npt.NDArray[np.float64]


class TrainedHeadCard(BaseModel):
    """What every trained head's `model.json` records: version, provenance, hashes, figures.
    Unknown keys are errors so a hand-edited card fails loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1] = 1
    version: str = Field(pattern=_VERSION.pattern)
    embedder_model_id: str
    embedding_dim: int = Field(gt=0)
    weights_sha256: str
    data_file: str
    data_sha256: str
    trained_at: datetime
    sklearn_version: str
    numpy_version: str
    hyperparameters: dict[str, float | int | str]
    metrics: dict[str, float]


class ModelCard(TrainedHeadCard):
    """The intent model's card."""

    kind: Literal["intent-linear-softmax"] = "intent-linear-softmax"
    labels: tuple[str, ...] = Field(min_length=2)
    threshold: float = Field(ge=0.0, le=1.0)


@dataclass(frozen=True)
class LinearHead:
    """A multinomial logistic regression: softmax(x · coefᵀ + intercept)."""

    coef: Matrix
    intercept: Matrix

    def probabilities(self, vectors: npt.NDArray[np.float32]) -> Matrix:
        logits = vectors.astype(np.float64) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)  # stable softmax
        exp = np.exp(logits)
        probs: Matrix = exp / exp.sum(axis=1, keepdims=True)
        return probs


def new_version(trained_at: datetime, data_sha256: str) -> str:
    return f"v{trained_at.strftime('%Y%m%dT%H%M%SZ')}-{data_sha256[:8]}"


def intent_root(models_dir: Path) -> Path:
    return models_dir / "intent"


def weights_bytes(head: LinearHead) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, coef=head.coef, intercept=head.intercept)
    return buffer.getvalue()


def write_version(
    models_dir: Path, card: ModelCard, weights: bytes, report: dict[str, Any], *, point_latest: bool = True
) -> Path:
    """Write a complete intent model version folder, then (unless told not to) point LATEST at it."""
    files = {
        WEIGHTS_FILE: weights,
        CARD_FILE: (card.model_dump_json(indent=2) + "\n").encode("utf-8"),
        REPORT_FILE: (json.dumps(report, indent=2) + "\n").encode("utf-8"),
    }
    return write_version_folder(
        intent_root(models_dir), card.version, files, kind="model", point_latest=point_latest
    )


def write_version_folder(
    root: Path, version: str, files: dict[str, bytes], *, kind: str, point_latest: bool = True
) -> Path:
    """Write `files` into `root/version`, then point `root/LATEST` at it (if `point_latest`).

    Files go to a hidden staging folder first and are renamed into place, so a
    crash mid-write never leaves a half-written version that LATEST could name.
    Shared by every trained artifact (intent model, claim classifier).
    """
    final = root / version
    if final.exists():
        raise ModelError(f"{kind} version {version} already exists in {root}")
    staging = root / f".{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, data in files.items():
        (staging / name).write_bytes(data)
    staging.rename(final)
    if point_latest:
        point_latest_at(root, version)
    return final


def point_latest_at(root: Path, version: str) -> None:
    """Make `root/LATEST` name `version`, atomically (readers see the old or the new name)."""
    latest_tmp = root / f".{LATEST_FILE}.tmp"
    latest_tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(latest_tmp, root / LATEST_FILE)


def resolve_version(models_dir: Path, version: str) -> str:
    return resolve_version_in(intent_root(models_dir), version, kind="intent model")


def read_version(models_dir: Path, version: str) -> tuple[ModelCard, LinearHead]:
    folder = intent_root(models_dir) / resolve_version(models_dir, version)
    return read_head(folder, ModelCard, lambda card: (len(card.labels), card.embedding_dim),
                     kind="intent model")


CardT = TypeVar("CardT", bound="TrainedHeadCard")


def resolve_version_in(root: Path, version: str, *, kind: str) -> str:
    """A version name under `root` (`latest` follows the LATEST pointer), checked for its shape."""
    name = version
    if version == "latest":
        latest = root / LATEST_FILE
        try:
            name = latest.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ModelError(f"no {kind} in {root.parent} ({latest} missing): {_RETRAIN_HINT}") from e
    if not _VERSION.match(name):
        article = "an" if kind[0] in "aeiou" else "a"
        raise ModelError(f"{name!r} is not {article} {kind} version: {_RETRAIN_HINT}")
    return name


def read_head(
    folder: Path, card_type: type[CardT], shape_of: Callable[[CardT], tuple[int, int]], *, kind: str
) -> tuple[CardT, LinearHead]:
    """A version folder's card and linear head, refused unless the weights match the card's
    hash and shape and are finite numbers."""
    try:
        card = card_type.model_validate_json((folder / CARD_FILE).read_bytes())
        weights = (folder / WEIGHTS_FILE).read_bytes()
    except (OSError, ValidationError) as e:
        raise ModelError(f"{kind} {folder} is missing or corrupt ({e}): {_RETRAIN_HINT}") from e
    if hashlib.sha256(weights).hexdigest() != card.weights_sha256:
        raise ModelError(f"{kind} {folder}: weights do not match model.json: {_RETRAIN_HINT}")
    return card, _parse_weights(folder, weights, shape_of(card), kind=kind)


def _parse_weights(folder: Path, weights: bytes, expected: tuple[int, int], *, kind: str) -> LinearHead:
    try:
        with np.load(io.BytesIO(weights), allow_pickle=False) as arrays:
            head = LinearHead(
                coef=np.asarray(arrays["coef"], dtype=np.float64),
                intercept=np.asarray(arrays["intercept"], dtype=np.float64),
            )
    except (OSError, ValueError, KeyError) as e:
        raise ModelError(f"{kind} {folder}: unreadable weights ({e}): {_RETRAIN_HINT}") from e
    if head.coef.shape != expected or head.intercept.shape != (expected[0],):
        raise ModelError(
            f"{kind} {folder}: weights have shape {head.coef.shape}, "
            f"model.json says {expected}: {_RETRAIN_HINT}"
        )
    if not np.all(np.isfinite(head.coef)) or not np.all(np.isfinite(head.intercept)):
        raise ModelError(f"{kind} {folder} has non-finite weights: {_RETRAIN_HINT}")
    return head
