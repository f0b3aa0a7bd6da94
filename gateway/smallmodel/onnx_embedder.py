"""The serving backend for embeddings: MiniLM exported to ONNX, run by ONNX Runtime.

    models_dir/encoder/
    ├── LATEST
    └── bert-L6-H384-3f2a…/        named after the embedding space it computes
        ├── encoder.onnx           token ids + mask → mean-pooled, L2-normalised vectors
        ├── tokenizer.json         the model's tokenizer, truncation and padding set
        └── encoder.json           `EncoderSpec`: pooling, normalisation, hashes, model id

Serving needs numpy, onnxruntime and tokenizers only: no PyTorch, no
sentence-transformers, no transformers. Pooling and normalisation are inside the
graph, so a consumer tokenizes, runs one session and has the final vectors.
`model_id` is the fingerprint of the sentence-transformers folder the encoder was
exported from, so intent heads trained on PyTorch vectors load on these (the
export checked they agree). The export itself is training-side: `onnx_export.py`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.exceptions import ModelError
from gateway.smallmodel.embedder import EMBEDDING_DIM, Embedder, RecentTextsEmbedder, Vectors, load_embedder

ENCODER_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
SPEC_FILE = "encoder.json"
LATEST_FILE = "LATEST"
INPUT_NAMES = ("input_ids", "attention_mask")
OUTPUT_NAME = "sentence_embedding"
# One intra-op thread: on a small shared CPU, batch-1 latency with 1 thread
# (p99 ≈ 4 ms) beat 2 threads (p99 ≈ 23 ms) by far (evals/embeddings/report.md).
DEFAULT_THREADS = 1

_log = logging.getLogger(__name__)
_RETRAIN_HINT = "run `loyalty-gateway train`"


class EncoderSpec(BaseModel):
    """`encoder.json`; unknown keys are errors, like every card in this package."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1] = 1
    kind: Literal["sentence-encoder-onnx"] = "sentence-encoder-onnx"
    model_id: str
    embedding_dim: int = Field(gt=0)
    max_length: int = Field(gt=0)
    pooling: Literal["mean"] = "mean"
    normalized: Literal[True] = True
    pooling_in_graph: Literal[True] = True
    inputs: tuple[str, str] = INPUT_NAMES
    output: str = OUTPUT_NAME
    opset: int
    exported_at: datetime
    exported_with: dict[str, str]
    sha256: dict[str, str]
    parity: dict[str, float]


class OnnxEmbedder:
    """`Embedder` on an ONNX Runtime session; rows are unit vectors, float32."""

    def __init__(self, session: Any, tokenizer: Any, spec: EncoderSpec, *, batch_size: int = 64) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._spec = spec
        self._batch_size = batch_size

    @property
    def model_id(self) -> str:
        return self._spec.model_id

    @property
    def spec(self) -> EncoderSpec:
        return self._spec

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._spec.embedding_dim), dtype=np.float32)
        batches = [
            self._encode_batch(texts[start : start + self._batch_size])
            for start in range(0, len(texts), self._batch_size)
        ]
        return np.ascontiguousarray(np.concatenate(batches), dtype=np.float32)

    def _encode_batch(self, texts: Sequence[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(list(texts))
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        }
        (vectors,) = self._session.run([self._spec.output], feed)
        return np.asarray(vectors, dtype=np.float32)


def encoder_root(models_dir: Path) -> Path:
    return models_dir / "encoder"


def encoder_version(model_id: str) -> str:
    """The folder name of the encoder for an embedding space: `bert-L6-H384:3f2a…` → `bert-L6-H384-3f2a…`."""
    return model_id.replace(":", "-")


def latest_encoder_dir(models_dir: Path) -> Path | None:
    """The folder LATEST names, or None when no encoder was exported into `models_dir`."""
    try:
        name = (encoder_root(models_dir) / LATEST_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return encoder_root(models_dir) / name


def load_onnx_embedder(folder: Path, *, threads: int = DEFAULT_THREADS) -> OnnxEmbedder:
    """Load an exported encoder folder (or artifact folder), checking every file's sha256."""
    spec = read_spec(folder)
    for name in (ENCODER_FILE, TOKENIZER_FILE):
        _check_hash(folder, name, spec.sha256.get(name))
    return OnnxEmbedder(_session(folder / ENCODER_FILE, threads), _tokenizer(folder, spec), spec)


def read_spec(folder: Path) -> EncoderSpec:
    try:
        spec = EncoderSpec.model_validate_json((folder / SPEC_FILE).read_bytes())
    except (OSError, ValidationError) as e:
        raise ModelError(f"ONNX encoder {folder} is missing or corrupt ({e}): {_RETRAIN_HINT}") from e
    if spec.embedding_dim != EMBEDDING_DIM:
        raise ModelError(f"ONNX encoder {folder}: dimension {spec.embedding_dim}, expected {EMBEDDING_DIM}")
    return spec


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_serving_embedder(models_dir: Path, *, threads: int = DEFAULT_THREADS) -> Embedder:
    """ONNX Runtime when `models_dir` holds an exported encoder, else sentence-transformers.

    The choice is logged; ONNX serving never imports PyTorch.
    """
    folder = latest_encoder_dir(models_dir)
    if folder is None:
        _log.info("embeddings: sentence-transformers on PyTorch (no ONNX encoder in %s)", models_dir)
        return load_embedder()
    embedder = load_onnx_embedder(folder, threads=threads)
    _log.info("embeddings: ONNX Runtime, encoder %s (%d intra-op threads)", folder, threads)
    return embedder


def embedder_backend(embedder: Embedder) -> str:
    """`onnxruntime` or `sentence-transformers`, for logs and the admin view."""
    backend = embedder.inner if isinstance(embedder, RecentTextsEmbedder) else embedder
    return "onnxruntime" if isinstance(backend, OnnxEmbedder) else "sentence-transformers"


def _check_hash(folder: Path, name: str, expected: str | None) -> None:
    try:
        actual = sha256_file(folder / name)
    except OSError as e:
        raise ModelError(f"ONNX encoder {folder}: cannot read {name} ({e}): {_RETRAIN_HINT}") from e
    if actual != expected:
        raise ModelError(
            f"ONNX encoder {folder}: {name} does not match {SPEC_FILE} (sha256 {actual[:12]}…): "
            + _RETRAIN_HINT
        )


def _session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return ort.InferenceSession(os.fspath(path), options, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own untyped errors; translated here
        raise ModelError(f"ONNX Runtime cannot load {path}: {e}") from e


def _tokenizer(folder: Path, spec: EncoderSpec) -> Any:
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(os.fspath(folder / TOKENIZER_FILE))
    except Exception as e:  # tokenizers raises a bare Exception on a bad file
        raise ModelError(f"cannot read the tokenizer in {folder}: {e}") from e
    configure_tokenizer(tokenizer, spec.max_length)
    return tokenizer


def configure_tokenizer(tokenizer: Any, max_length: int) -> None:
    """What sentence-transformers does: truncate at max_length, pad to the longest text in the batch."""
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
