"""The ONNX Runtime embedder: same vectors and same embedding space as PyTorch, and serving without torch."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gateway.exceptions import ModelError
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import Embedder, SentenceTransformerEmbedder, load_intent_model
from gateway.smallmodel.onnx_embedder import (
    ENCODER_FILE,
    SPEC_FILE,
    TOKENIZER_FILE,
    OnnxEmbedder,
    load_onnx_embedder,
    load_serving_embedder,
)
from gateway.smallmodel.onnx_export import MAX_COSINE_GAP, cosine_gap, ensure_onnx_encoder

INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"
EDGE_TEXTS = ["", "   ", "points?!", "¿cuántos puntos tengo? 私のポイント", "expire " * 400]


def labelled_texts(n: int) -> list[str]:
    lines = INTENT_DATA.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines[:: max(1, len(lines) // n)]][:n]


def test_vectors_match_pytorch_within_1e_5_cosine(embedder: Embedder, onnx_embedder: Embedder) -> None:
    texts = labelled_texts(120) + EDGE_TEXTS
    assert cosine_gap(onnx_embedder, embedder, texts) < MAX_COSINE_GAP


def test_rows_are_unit_float32_vectors_and_batching_does_not_change_them(onnx_embedder: Embedder) -> None:
    texts = ["how many points do I have", "expire " * 400, "hi"]
    together = onnx_embedder.encode(texts)
    alone = np.concatenate([onnx_embedder.encode([text]) for text in texts])
    assert together.dtype == np.float32
    assert together.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(together, alone, atol=1e-5)  # padding in a batch changes nothing


def test_no_texts_give_an_empty_matrix(onnx_embedder: Embedder) -> None:
    assert onnx_embedder.encode([]).shape == (0, 384)


def test_it_computes_the_same_embedding_space_so_heads_trained_on_pytorch_load(
    embedder: Embedder, onnx_embedder: Embedder, trained_models_dir: Path
) -> None:
    assert onnx_embedder.model_id == embedder.model_id
    on_torch = load_intent_model(trained_models_dir, embedder=embedder)
    on_onnx = load_intent_model(trained_models_dir, embedder=onnx_embedder)
    texts = labelled_texts(60)
    assert [p.intent for p in on_onnx.predict_many(texts)] == [p.intent for p in on_torch.predict_many(texts)]


def test_exporting_again_keeps_the_encoder_that_is_there(onnx_encoder_dir: Path) -> None:
    before = onnx_encoder_dir.joinpath(ENCODER_FILE).stat().st_mtime_ns
    folder, exported = ensure_onnx_encoder(onnx_encoder_dir.parent.parent)
    assert (folder, exported) == (onnx_encoder_dir, False)
    assert onnx_encoder_dir.joinpath(ENCODER_FILE).stat().st_mtime_ns == before


def _copy_encoder(source: Path, dest: Path) -> Path:
    dest.mkdir()
    os.symlink(source / ENCODER_FILE, dest / ENCODER_FILE)  # 90 MB: linked, never modified here
    shutil.copyfile(source / TOKENIZER_FILE, dest / TOKENIZER_FILE)
    shutil.copyfile(source / SPEC_FILE, dest / SPEC_FILE)
    return dest


def test_a_tokenizer_that_does_not_match_its_hash_is_refused(onnx_encoder_dir: Path, tmp_path: Path) -> None:
    folder = _copy_encoder(onnx_encoder_dir, tmp_path / "encoder")
    tokenizer = folder / TOKENIZER_FILE
    tokenizer.write_text(tokenizer.read_text(encoding="utf-8").replace("[UNK]", "[UNX]"), encoding="utf-8")
    with pytest.raises(ModelError, match=r"tokenizer\.json does not match encoder\.json"):
        load_onnx_embedder(folder)


def test_a_spec_with_an_unknown_key_is_refused(onnx_encoder_dir: Path, tmp_path: Path) -> None:
    folder = _copy_encoder(onnx_encoder_dir, tmp_path / "encoder")
    spec = json.loads((folder / SPEC_FILE).read_text(encoding="utf-8"))
    (folder / SPEC_FILE).write_text(json.dumps({**spec, "poolng": "cls"}), encoding="utf-8")
    with pytest.raises(ModelError, match="missing or corrupt"):
        load_onnx_embedder(folder)


def test_serving_uses_onnx_runtime_when_the_encoder_is_exported_and_says_so(
    onnx_models_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gateway.smallmodel.onnx_embedder"):
        embedder = load_serving_embedder(onnx_models_dir)
    assert isinstance(embedder, OnnxEmbedder)
    assert "embeddings: ONNX Runtime" in caplog.text


def test_serving_falls_back_to_sentence_transformers_without_an_encoder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gateway.smallmodel.onnx_embedder"):
        embedder = load_serving_embedder(tmp_path)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert "sentence-transformers on PyTorch" in caplog.text


NO_TORCH_PROBE = """
import json, sys
from pathlib import Path
from gateway.composition import load_models
from gateway.settings import load_settings

models = load_models(load_settings(_env_file=None, models_dir=Path(sys.argv[1])))
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
print(json.dumps({"heavy": heavy, "backend": type(models.embedder).__name__,
                  "intent": models.intent.predict("how many points do I have").intent}))
"""


def test_serving_with_the_onnx_encoder_never_imports_torch(onnx_models_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", NO_TORCH_PROBE, str(onnx_models_dir)],
        capture_output=True, text=True, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "heavy": [], "backend": "OnnxEmbedder", "intent": "points_balance"
    }
