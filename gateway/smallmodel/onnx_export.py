"""Training-side: export the sentence-transformers MiniLM to an ONNX encoder folder.

The graph is the transformer plus what sentence-transformers does after it
(mean pooling over the attention mask, then L2 normalisation), so serving runs
one ONNX Runtime session and nothing else. Every export is checked against the
PyTorch model on `PARITY_TEXTS` (short, long, truncated, non-ASCII, batched with
padding) and refused when any vector differs by more than `MAX_COSINE_GAP`.

Needs torch and transformers, imported inside the functions: importing this
module stays cheap.
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from gateway.exceptions import ModelError
from gateway.smallmodel.artifact import write_version_folder
from gateway.smallmodel.embedder import (
    EMBEDDING_DIM,
    Embedder,
    bundled_model_path,
    fingerprint,
    load_embedder,
)
from gateway.smallmodel.onnx_embedder import (
    ENCODER_FILE,
    INPUT_NAMES,
    OUTPUT_NAME,
    SPEC_FILE,
    TOKENIZER_FILE,
    EncoderSpec,
    configure_tokenizer,
    encoder_root,
    encoder_version,
    load_onnx_embedder,
)

OPSET = 17
MAX_COSINE_GAP = 1e-5
MAX_LENGTH = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
PARITY_TEXTS = (
    "how many points do I have",
    "What's my TIER?",
    "",
    "¿cuántos puntos tengo? ポイントはいくつ",
    "when do my points expire " * 80,  # past max_length: checks truncation
    "Can you recommend a wine that goes with salmon for a dinner party on Saturday?",
    "store hours",
    "I bought milk yesterday, did I get points for it and when will they show up in the app?",
)


def ensure_onnx_encoder(
    models_dir: Path, *, source: Path | None = None, reference: Embedder | None = None
) -> tuple[Path, bool]:
    """Export the encoder into `models_dir/encoder/<space>/` unless it is there; (folder, exported now)."""
    source = source if source is not None else bundled_model_path()
    version = encoder_version(fingerprint(source))
    folder = encoder_root(models_dir) / version
    if (folder / SPEC_FILE).is_file():
        return folder, False
    files = build_encoder_files(source, reference=reference)
    return write_version_folder(encoder_root(models_dir), version, files, kind="ONNX encoder"), True


def export_encoder(
    dest: Path, source: Path | None = None, *, reference: Embedder | None = None
) -> EncoderSpec:
    """Write encoder.onnx, tokenizer.json and encoder.json into the new folder `dest`."""
    files = build_encoder_files(source if source is not None else bundled_model_path(), reference=reference)
    dest.mkdir(parents=True)
    for name, data in files.items():
        (dest / name).write_bytes(data)
    return EncoderSpec.model_validate_json(files[SPEC_FILE])


def build_encoder_files(source: Path, *, reference: Embedder | None = None) -> dict[str, bytes]:
    """The encoder folder's files, in memory, after the parity check against PyTorch passed."""
    reference = reference if reference is not None else load_embedder(source)
    model_id = fingerprint(source)
    if reference.model_id != model_id:
        raise ModelError(f"reference embedder is {reference.model_id}, the source folder is {model_id}")
    with tempfile.TemporaryDirectory(prefix="encoder-") as tmp:
        staging = Path(tmp)
        _export_graph(source, staging / ENCODER_FILE)
        _write_tokenizer(source, staging / TOKENIZER_FILE)
        spec = _spec(staging, model_id, parity={})
        (staging / SPEC_FILE).write_text(spec.model_dump_json(indent=2) + "\n", encoding="utf-8")
        gap = cosine_gap(load_onnx_embedder(staging), reference, PARITY_TEXTS)
        if gap > MAX_COSINE_GAP:
            raise ModelError(
                f"ONNX encoder disagrees with PyTorch (cosine gap {gap:.2e} > {MAX_COSINE_GAP:g})"
            )
        spec = spec.model_copy(update={"parity": {"texts": float(len(PARITY_TEXTS)), "max_cosine_gap": gap}})
        return {
            ENCODER_FILE: (staging / ENCODER_FILE).read_bytes(),
            TOKENIZER_FILE: (staging / TOKENIZER_FILE).read_bytes(),
            SPEC_FILE: (spec.model_dump_json(indent=2) + "\n").encode("utf-8"),
        }


def cosine_gap(embedder: Embedder, reference: Embedder, texts: tuple[str, ...] | list[str]) -> float:
    """The largest 1 - cosine between the two embedders' vectors for the same text."""
    ours, theirs = embedder.encode(texts), reference.encode(texts)
    cosines = (ours.astype(np.float64) * theirs.astype(np.float64)).sum(axis=1)
    norms = np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1)
    return float(np.max(1.0 - cosines / norms))


def _spec(staging: Path, model_id: str, parity: dict[str, float]) -> EncoderSpec:
    import onnxruntime
    import tokenizers
    import torch

    return EncoderSpec(
        model_id=model_id,
        embedding_dim=EMBEDDING_DIM,
        max_length=MAX_LENGTH,
        opset=OPSET,
        exported_at=datetime.now(UTC).replace(microsecond=0),
        exported_with={
            "torch": torch.__version__,
            "onnxruntime": onnxruntime.__version__,
            "tokenizers": tokenizers.__version__,
        },
        sha256={name: _sha256(staging / name) for name in (ENCODER_FILE, TOKENIZER_FILE)},
        parity=parity,
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_tokenizer(source: Path, dest: Path) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(source / TOKENIZER_FILE))
    configure_tokenizer(tokenizer, MAX_LENGTH)  # saved configured: a consumer needs no extra setup
    dest.write_text(tokenizer.to_str(), encoding="utf-8")


def _export_graph(source: Path, dest: Path) -> None:
    import torch

    module = _pooled_encoder(source)
    example = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long))
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    with warnings.catch_warnings(), torch.no_grad():
        # The tracer warns about Python control flow in transformers' attention code
        # that does not depend on the input shapes; the parity check is what counts.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module, example, str(dest),
            input_names=list(INPUT_NAMES), output_names=[OUTPUT_NAME],
            dynamic_axes={**axes, OUTPUT_NAME: {0: "batch"}},
            opset_version=OPSET, dynamo=False,
        )


def _pooled_encoder(source: Path) -> Any:
    import torch
    from transformers import AutoModel

    try:
        model = AutoModel.from_pretrained(str(source), local_files_only=True).eval()
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load the transformer in {source}: {e}") from e

    class PooledEncoder(torch.nn.Module):
        """Transformer → mean pooling over the mask → L2 normalisation (sentence-transformers' modules)."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            # Keyword arguments: positionally, transformers 5 binds the mask to another parameter.
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return PooledEncoder()
