"""The learned second check: a sentence classifier on MiniLM embeddings.

The rules catch the phrasings they were written against; paraphrases slip
through ("your second coffee won't cost you a thing"). This check scores each
sentence the rules passed with a logistic regression on the sentence's
embedding, and reports the ones over the threshold as `semantic_claim`.

    models_dir/governance/
    ├── LATEST                        the version the gateway loads
    └── v20261123T112233Z-1a2b3c4d/   v<UTC time>-<first 8 hex of the training data's sha256>
        ├── weights.npz               coef (dim), intercept (1), float64
        └── model.json                the card: labels, threshold, embedder id, data hashes, metrics

No pickle: loading parses numbers and JSON only (`np.load(allow_pickle=False)`),
and the card's sha256 of the weights catches a truncated or swapped file.
Sentences are read as the member sees them (`normalise`), with the gate's own
offer wording replaced by `OFFER_STANDIN`, exactly as in training.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.exceptions import ModelError
from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._normalise import normalise
from gateway.governance.sentences import split_sentences
from gateway.smallmodel.artifact import write_version_folder
from gateway.smallmodel.embedder import Embedder

SEMANTIC_SECTION = "governance/semantic"
OFFER_STANDIN = "this offer"  # what a rendered offer reads as, to the classifier
LABELS = ("benign", "violating")
WEIGHTS_FILE = "weights.npz"
CARD_FILE = "model.json"
LATEST_FILE = "LATEST"
_VERSION = re.compile(r"^v\d{8}T\d{6}Z-[0-9a-f]{8}$")
_HINT = "run `loyalty-gateway train`"
# Findings that concern the whole answer, not a sentence: they do not exempt sentences.
_WHOLE_ANSWER = frozenset({"too_long", "missing_disclosure"})


class ClaimCard(BaseModel):
    """`model.json`; unknown keys are errors, so a hand-edited card fails loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1] = 1
    kind: Literal["governance-claim-logreg"] = "governance-claim-logreg"
    version: str = Field(pattern=_VERSION.pattern)
    labels: tuple[str, str] = LABELS
    threshold: float = Field(gt=0.0, lt=1.0)
    embedder_model_id: str
    embedding_dim: int = Field(gt=0)
    weights_sha256: str
    data_sha256: str  # of the labelled training sentences, in order
    data_files: dict[str, str]  # file name -> sha256 of every file items were taken from
    splits: tuple[str, ...]
    trained_at: datetime
    sklearn_version: str
    numpy_version: str
    hyperparameters: dict[str, float | int | str]
    metrics: dict[str, float]


def governance_root(models_dir: Path) -> Path:
    return models_dir / "governance"


def prepare(sentence: str, approved_texts: Sequence[str] = ()) -> str:
    """The sentence as the classifier reads it: normalised, the gate's offer wording masked."""
    text = normalise(sentence).text
    for approved in approved_texts:
        text = text.replace(approved, OFFER_STANDIN)
    return " ".join(text.split())


class ClaimClassifier:
    """P(violating | sentence) = sigmoid(embedding · coef + intercept)."""

    def __init__(self, card: ClaimCard, coef: npt.NDArray[np.float64], intercept: float,
                 embedder: Embedder) -> None:
        self.card = card
        self._coef = coef
        self._intercept = intercept
        self._embedder = embedder

    @property
    def version(self) -> str:
        return self.card.version

    @property
    def threshold(self) -> float:
        return self.card.threshold

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """One `encode` call for all of `texts`."""
        vectors = self._embedder.encode(list(texts)).astype(np.float64)
        logits = vectors @ self._coef + self._intercept
        probs: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
        return probs

    def findings(self, text: str, facts: TurnFacts, ruled: Sequence[Finding] = (),
                 threshold: float | None = None) -> list[Finding]:
        """`semantic_claim` for each sentence the rules passed that scores over the threshold."""
        spans = [(f.start, f.end) for f in ruled if f.end > f.start and f.code not in _WHOLE_ANSWER]
        sentences = [s for s in split_sentences(text)
                     if not any(start < s.end and s.start < end for start, end in spans)]
        if not sentences:
            return []
        limit = self.threshold if threshold is None else threshold
        probs = self.probabilities([prepare(s.text, facts.approved_texts) for s in sentences])
        return [Finding("semantic_claim", s.start, s.end,
                        f"the claim classifier scores this sentence {p:.2f} (threshold {limit:.2f})")
                for s, p in zip(sentences, probs, strict=True) if p >= limit]


def load_claim_classifier(models_dir: Path, embedder: Embedder) -> ClaimClassifier:
    """The LATEST claim classifier under `models_dir/governance`; `ModelError` if missing or corrupt."""
    folder = governance_root(models_dir) / _latest(models_dir)
    try:
        card = ClaimCard.model_validate_json((folder / CARD_FILE).read_bytes())
        weights = (folder / WEIGHTS_FILE).read_bytes()
    except (OSError, ValidationError) as e:
        raise ModelError(f"claim classifier {folder} is missing or corrupt ({e}): {_HINT}") from e
    if hashlib.sha256(weights).hexdigest() != card.weights_sha256:
        raise ModelError(f"claim classifier {folder}: weights do not match model.json: {_HINT}")
    if card.embedder_model_id != embedder.model_id:
        raise ModelError(f"claim classifier {folder} was trained on embeddings "
                         f"{card.embedder_model_id}, not {embedder.model_id}: {_HINT}")
    coef, intercept = _parse_weights(folder, weights, card.embedding_dim)
    return ClaimClassifier(card, coef, intercept, embedder)


def weights_bytes(coef: npt.NDArray[np.float64], intercept: float) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, coef=np.asarray(coef, dtype=np.float64),
             intercept=np.asarray([intercept], dtype=np.float64))
    return buffer.getvalue()


def write_claim_classifier(models_dir: Path, card: ClaimCard, weights: bytes) -> Path:
    """Write a complete version folder (staged, then renamed), then point LATEST at it."""
    files = {WEIGHTS_FILE: weights, CARD_FILE: (card.model_dump_json(indent=2) + "\n").encode("utf-8")}
    return write_version_folder(
        governance_root(models_dir), card.version, files, kind="claim classifier"
    )


def has_claim_classifier(models_dir: Path) -> bool:
    return (governance_root(models_dir) / LATEST_FILE).is_file()


def _latest(models_dir: Path) -> str:
    latest = governance_root(models_dir) / LATEST_FILE
    try:
        name = latest.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise ModelError(f"no claim classifier in {models_dir} ({latest} missing): {_HINT}") from e
    if not _VERSION.match(name):
        raise ModelError(f"{name!r} is not a claim classifier version: {_HINT}")
    return name


def _parse_weights(folder: Path, weights: bytes, dim: int) -> tuple[npt.NDArray[np.float64], float]:
    try:
        with np.load(io.BytesIO(weights), allow_pickle=False) as arrays:
            coef = np.asarray(arrays["coef"], dtype=np.float64)
            intercept = np.asarray(arrays["intercept"], dtype=np.float64)
    except (OSError, ValueError, KeyError) as e:
        raise ModelError(f"claim classifier {folder}: unreadable weights ({e}): {_HINT}") from e
    if coef.shape != (dim,) or intercept.shape != (1,) or not np.all(np.isfinite(coef)):
        raise ModelError(f"claim classifier {folder}: weights have shape {coef.shape}, "
                         f"model.json says ({dim},): {_HINT}")
    return coef, float(intercept[0])
