"""The route model: trained on labelled queries, served with numpy from plain arrays and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gateway.exceptions import ModelError
from gateway.routing.route_model import (
    CONTEXT_FEATURES,
    RouteFeatures,
    RouteModel,
    RoutePrediction,
    load_route_model,
    router_root,
)
from gateway.routing.train_router import load_route_data, train_route_model
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import Embedder
from gateway.turn import Channel, ChatMessage, RequestMetadata, Turn

QUERIES = PROJECT_ROOT / "evals" / "routing" / "queries.jsonl"
PER_GROUP_IN_SLICE = 10  # per route and channel: 90 queries


@pytest.fixture(scope="module")
def small_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first labelled queries of each route and channel: enough to split, cross-validate, evaluate."""
    taken: dict[tuple[str, str], int] = {}
    lines = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        group = (record["route"], record["channel"])
        if taken.get(group, 0) < PER_GROUP_IN_SLICE:
            taken[group] = taken.get(group, 0) + 1
            lines.append(line)
    path = tmp_path_factory.mktemp("slice") / "queries.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_trained_version_loads_back_and_serves_what_was_evaluated(
    small_slice: Path, tmp_path: Path, embedder: Embedder
) -> None:
    training = train_route_model(small_slice, tmp_path, embedder, min_confidence=0.6)
    latest = (router_root(tmp_path) / "LATEST").read_text().strip()
    assert latest == training.model.version
    assert {p.name for p in (router_root(tmp_path) / latest).iterdir()} == {
        "weights.npz", "model.json", "report.json"
    }
    loaded = load_route_model(tmp_path, embedder_model_id=embedder.model_id)
    served = loaded.predict_many(training.heldout_vectors, [e.features for e in training.heldout])
    assert [p.route for p in served] == [p.route for p in training.predictions]
    assert training.report["heldout_size"] == len(training.heldout) == 18  # 20 % of 90
    assert {(e.route, e.channel) for e in training.heldout} == {  # stratified: every group held out
        (r, c) for r in ("small_model", "cache", "llm") for c in ("app", "kiosk", "associate")
    }


def test_the_shipped_router_meets_its_held_out_target(route_model: RouteModel) -> None:
    assert route_model.card.metrics["accuracy"] >= 0.95


def test_a_route_model_from_another_embedding_space_is_refused(trained_models_dir: Path) -> None:
    with pytest.raises(ModelError, match="trained on embeddings"):
        load_route_model(trained_models_dir, embedder_model_id="bert-L6-H384:0000000000000000")


def test_swapped_weights_are_caught_before_serving(
    small_slice: Path, tmp_path: Path, embedder: Embedder
) -> None:
    training = train_route_model(small_slice, tmp_path, embedder, min_confidence=0.6)
    weights = router_root(tmp_path) / training.model.version / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-8])
    with pytest.raises(ModelError, match=r"weights do not match model\.json"):
        load_route_model(tmp_path, embedder_model_id=embedder.model_id)


def test_no_router_is_an_error_that_says_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="loyalty-gateway train"):
        load_route_model(tmp_path, embedder_model_id="x")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "hi", "channel": "app", "route": "semantic"}', "unknown route 'semantic'"),
        ('{"text": "hi", "channel": "web", "route": "llm"}', "unknown channel 'web'"),
        ('{"text": "hi", "channel": "app", "route": "llm", "storre": true}', "expected the keys"),
        ('{"text": "hi", "channel": "app", "route": "llm", "store": "yes"}', "must be true or false"),
        ('{"text": " ", "channel": "app", "route": "llm"}', "non-empty string"),
    ],
)
def test_a_bad_labelled_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "queries.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        load_route_data(path)


def test_a_duplicate_query_is_refused_so_it_cannot_leak_between_splits(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    path.write_text(
        '{"text": "My tier?", "channel": "app", "route": "small_model"}\n'
        '{"text": "my tier", "channel": "kiosk", "route": "small_model"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ModelError, match=r"queries\.jsonl:2: duplicate of line 1"):
        load_route_data(path)


def test_context_features_come_from_the_turn() -> None:
    earlier = (ChatMessage("user", "hi"), ChatMessage("assistant", "hello"))
    turn = Turn(Channel.KIOSK, "1", (*earlier, ChatMessage("user", "and my tier?")),
                RequestMetadata(store_id="364"), "loyalty")
    turn.query = "and my tier?"
    features = RouteFeatures.of_turn(turn)
    assert features == RouteFeatures("kiosk", multi_turn=True, has_store=True, length_words=3)
    named = dict(zip(CONTEXT_FEATURES, features.vector().tolist(), strict=True))
    assert named["channel=kiosk"] == 1.0 and named["channel=app"] == 0.0
    assert named["multi_turn"] == 1.0 and named["has_store"] == 1.0


def test_a_channel_the_router_was_not_trained_on_sets_no_channel_feature() -> None:
    assert not np.any(RouteFeatures("compliance").vector()[:3])


def test_an_unsure_prediction_is_served_as_the_safe_route() -> None:
    assert RoutePrediction("cache", 0.59).served(0.6) == "llm"
    assert RoutePrediction("cache", 0.6).served(0.6) == "cache"
