from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from gateway.exceptions import ModelError
from gateway.smallmodel import EMBEDDING_DIM, Embedder, load_embedder
from gateway.smallmodel.embedder import bundled_model_path, fingerprint


def _config_only_copy(target: Path) -> Path:
    """The bundled model's small files, without the weights."""
    source = bundled_model_path()
    for file in source.rglob("*"):
        if file.is_file() and file.suffix in {".json", ".txt"}:
            destination = target / file.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, destination)
    return target


def test_encode_returns_unit_float32_rows_of_384(embedder: Embedder) -> None:
    vectors = embedder.encode(["how many points do I have", "what time do you close"])
    assert vectors.shape == (2, EMBEDDING_DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_encoding_nothing_gives_an_empty_matrix(embedder: Embedder) -> None:
    assert embedder.encode([]).shape == (0, EMBEDDING_DIM)


def test_paraphrases_are_closer_than_unrelated_questions(embedder: Embedder) -> None:
    points, paraphrase, recipe = embedder.encode(
        ["how many points do I have", "what's my points balance", "a good lasagna recipe"]
    )
    assert float(points @ paraphrase) > float(points @ recipe) + 0.2


def test_model_id_names_the_architecture_and_a_config_hash(embedder: Embedder) -> None:
    assert embedder.model_id == fingerprint(bundled_model_path())
    assert embedder.model_id.startswith("bert-L6-H384:")
    assert len(embedder.model_id.split(":")[1]) == 16


def test_model_id_follows_the_config_not_the_folder(tmp_path: Path, embedder: Embedder) -> None:
    copy = _config_only_copy(tmp_path / "elsewhere")
    assert fingerprint(copy) == embedder.model_id
    pooling = copy / "1_Pooling" / "config.json"
    pooling.write_text(
        pooling.read_text().replace('"pooling_mode_max_tokens": false', '"pooling_mode_max_tokens": true')
    )
    assert fingerprint(copy) != embedder.model_id


def test_a_folder_that_is_not_a_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a sentence-transformers model folder"):
        load_embedder(tmp_path)


def test_a_model_without_weights_is_a_model_error(tmp_path: Path) -> None:
    copy = _config_only_copy(tmp_path / "no-weights")
    with pytest.raises(ModelError, match="cannot load the embedding model") as caught:
        load_embedder(copy)
    assert caught.value.__cause__ is not None
