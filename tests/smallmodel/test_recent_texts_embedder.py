"""The request path embeds one question once: retrieval, the router and a shadow model share it."""

from __future__ import annotations

import numpy as np

from gateway.smallmodel import Embedder
from gateway.smallmodel.embedder import RecentTextsEmbedder
from gateway.smallmodel.onnx_embedder import embedder_backend


def test_a_remembered_vector_is_the_models_own(onnx_embedder: Embedder) -> None:
    remembering = RecentTextsEmbedder(onnx_embedder)
    question = "how many points do I have?"
    first, again = remembering.encode([question]), remembering.encode([question])
    np.testing.assert_array_equal(first, onnx_embedder.encode([question]))
    np.testing.assert_array_equal(again, first)
    assert remembering.model_id == onnx_embedder.model_id


def test_a_caller_changing_its_vector_does_not_change_the_remembered_one(onnx_embedder: Embedder) -> None:
    remembering = RecentTextsEmbedder(onnx_embedder)
    vector = remembering.encode(["when do my points expire?"])
    vector[:] = 0.0
    assert np.linalg.norm(remembering.encode(["when do my points expire?"])) > 0.99


def test_batches_pass_through_and_the_backend_is_still_named(onnx_embedder: Embedder) -> None:
    remembering = RecentTextsEmbedder(onnx_embedder)
    assert remembering.encode(["a", "b", "c"]).shape == (3, 384)
    assert embedder_backend(remembering) == "onnxruntime"
