"""`loyalty-gateway train` (router part): labelled queries → a new, evaluated route model version.

1. Split the labelled set 80/20, stratified by route × channel, seeded.
2. On the 80 % only: choose the regularisation strength C by 5-fold
   out-of-fold log loss. The held-out 20 % chooses nothing.
3. Fit on the 80 %, evaluate on the 20 % with the serving rule (an unsure
   prediction takes the safe route), and save exactly those weights.

The labelled set is JSON lines: `text`, `channel` (app, kiosk, associate),
`route` (small_model, cache, llm) and optional `multi_turn` and `store` flags.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gateway.exceptions import ModelError
from gateway.routing.exact_cache import normalise_query
from gateway.routing.route_model import (
    ROUTE_CHANNELS,
    ROUTES,
    RouteFeatures,
    RouteModel,
    RoutePrediction,
    RouterCard,
    model_inputs,
    predict_routes,
    write_route_model,
)
from gateway.smallmodel.artifact import LinearHead, Matrix, new_version, weights_bytes
from gateway.smallmodel.embedder import Embedder, Vectors

HELD_OUT_SHARE = 0.2
FOLDS = 5
C_GRID = (4.0, 16.0, 64.0, 256.0)
_REQUIRED = frozenset({"text", "channel", "route"})
_OPTIONAL = frozenset({"multi_turn", "store"})
_MIN_PER_ROUTE = 10

Rows = npt.NDArray[np.intp]


@dataclass(frozen=True)
class RouteExample:
    text: str
    channel: str
    route: str
    multi_turn: bool = False
    store: bool = False

    @property
    def features(self) -> RouteFeatures:
        return RouteFeatures.of(self.text, self.channel, multi_turn=self.multi_turn, has_store=self.store)


@dataclass(frozen=True)
class RouteData:
    path: Path
    sha256: str
    examples: tuple[RouteExample, ...]


@dataclass(frozen=True)
class RouterTraining:
    """What one training run produced: the saved model and its held-out predictions."""

    model: RouteModel
    report: dict[str, Any]
    heldout: tuple[RouteExample, ...]
    predictions: tuple[RoutePrediction, ...]
    heldout_vectors: Vectors


def load_route_data(path: Path) -> RouteData:
    """Strict: unknown keys, routes or channels, empty texts and duplicates name their line."""
    try:
        raw = path.read_bytes()
        lines = raw.decode("utf-8").splitlines()
    except OSError as e:
        raise _invalid(f"cannot read {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise _invalid(f"{path} is not UTF-8 text ({e.reason})") from e
    seen: dict[str, int] = {}
    examples = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        example = _parse_line(path, number, line)
        key = normalise_query(example.text)
        if key in seen:
            raise _invalid(f"{path}:{number}: duplicate of line {seen[key]}: {example.text!r}")
        seen[key] = number
        examples.append(example)
    counts = Counter(e.route for e in examples)
    if any(counts[r] < _MIN_PER_ROUTE for r in ROUTES):
        raise _invalid(f"{path}: need at least {_MIN_PER_ROUTE} examples per route, have {dict(counts)}")
    return RouteData(path, hashlib.sha256(raw).hexdigest(), tuple(examples))


def train_route_model(
    dataset: Path, models_dir: Path, embedder: Embedder, *, min_confidence: float, seed: int = 7
) -> RouterTraining:
    """Train, evaluate and save a new version under `models_dir/router/`; refresh LATEST."""
    data = load_route_data(dataset)
    vectors = embedder.encode([e.text for e in data.examples])
    inputs = model_inputs(vectors, [e.features for e in data.examples])
    routes = np.asarray([e.route for e in data.examples])
    train, held = _split(data.examples, seed)
    c, loss = _select_c(inputs[train], routes[train], _fold_strata(data.examples, train), seed)
    head = _fit(inputs[train], routes[train], c, seed)
    hyperparameters: dict[str, float | int | str] = {
        "C": c, "seed": seed, "held_out_share": HELD_OUT_SHARE, "folds": FOLDS,
        "out_of_fold_log_loss": round(loss, 4),
    }
    card_fields = _card_fields(data, embedder.model_id, int(vectors.shape[1]), hyperparameters)
    heldout = tuple(data.examples[i] for i in held)
    weights = weights_bytes(head)
    predictions = tuple(predict_routes(head, vectors[held], [e.features for e in heldout]))
    report = evaluation(heldout, predictions, min_confidence)
    report.update(
        train_size=len(train), heldout_size=len(held), hyperparameters=card_fields["hyperparameters"]
    )
    card = RouterCard(
        **card_fields, weights_sha256=hashlib.sha256(weights).hexdigest(), metrics=_metrics(report)
    )
    write_route_model(models_dir, card, weights, {"version": card.version, **report})
    return RouterTraining(RouteModel(card, head), report, heldout, predictions, vectors[held])


def evaluation(
    examples: tuple[RouteExample, ...], predictions: tuple[RoutePrediction, ...], min_confidence: float
) -> dict[str, Any]:
    """Accuracy (argmax and as served), per channel, confusion matrix, and the mistakes."""
    true = [e.route for e in examples]
    argmax = [p.route for p in predictions]
    served = [p.served(min_confidence) for p in predictions]
    return {
        "min_confidence": min_confidence,
        "accuracy": _accuracy(true, argmax),
        "served_accuracy": _accuracy(true, served),
        "deferred_share": sum(p.confidence < min_confidence for p in predictions) / max(len(predictions), 1),
        "per_channel": _per_channel(examples, argmax),
        "confusion": _confusion(true, argmax),
        "served_confusion": _confusion(true, served),
        "mistakes": [
            {"text": e.text, "channel": e.channel, "true": e.route, "predicted": p.route,
             "confidence": round(p.confidence, 3)}
            for e, p in zip(examples, predictions, strict=True) if p.route != e.route
        ],
    }


def _accuracy(true: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(t == p for t, p in zip(true, predicted, strict=True)) / max(len(true), 1)


def _per_channel(examples: Sequence[RouteExample], predicted: Sequence[str]) -> dict[str, float]:
    accuracy = {}
    for channel in ROUTE_CHANNELS:
        rows = [i for i, e in enumerate(examples) if e.channel == channel]
        if rows:
            accuracy[channel] = _accuracy([examples[i].route for i in rows], [predicted[i] for i in rows])
    return accuracy


def _confusion(true: list[str], predicted: list[str]) -> list[list[int]]:
    """Rows true, columns predicted, both in `ROUTES` order."""
    index = {r: i for i, r in enumerate(ROUTES)}
    matrix = [[0] * len(ROUTES) for _ in ROUTES]
    for t, p in zip(true, predicted, strict=True):
        matrix[index[t]][index[p]] += 1
    return matrix


def _metrics(report: dict[str, Any]) -> dict[str, float]:
    metrics = {k: round(float(report[k]), 4) for k in ("accuracy", "served_accuracy", "deferred_share")}
    metrics.update({f"accuracy_{ch}": round(v, 4) for ch, v in report["per_channel"].items()})
    return metrics


def _strata(examples: tuple[RouteExample, ...]) -> npt.NDArray[np.str_]:
    return np.asarray([f"{e.route}/{e.channel}" for e in examples])


def _fold_strata(examples: tuple[RouteExample, ...], train: Rows) -> npt.NDArray[np.str_]:
    """Route × channel when every such group can fill the folds, else the route alone."""
    strata = _strata(examples)[train]
    if min(Counter(strata.tolist()).values()) >= FOLDS:
        return strata
    return np.asarray([examples[i].route for i in train])


def _split(examples: tuple[RouteExample, ...], seed: int) -> tuple[Rows, Rows]:
    from sklearn.model_selection import train_test_split

    strata = _strata(examples)
    thin = sorted(s for s, n in Counter(strata.tolist()).items() if n < 2 / HELD_OUT_SHARE)
    if thin:
        raise _invalid(f"need at least {2 / HELD_OUT_SHARE:.0f} examples per route and channel: {thin}")
    indices = np.arange(len(examples))
    train, held = train_test_split(indices, test_size=HELD_OUT_SHARE, stratify=strata, random_state=seed)
    return np.sort(train), np.sort(held)


def _fit(inputs: Vectors, routes: npt.NDArray[np.str_], c: float, seed: int) -> LinearHead:
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(C=c, max_iter=5000, random_state=seed)
    try:
        classifier.fit(inputs, routes)
    except ValueError as e:
        raise ModelError(f"cannot fit the route model: {e}") from e
    if tuple(classifier.classes_) != ROUTES:
        raise ModelError(f"training data covers {list(classifier.classes_)}, need {list(ROUTES)}")
    return LinearHead(
        coef=np.asarray(classifier.coef_, dtype=np.float64),
        intercept=np.asarray(classifier.intercept_, dtype=np.float64),
    )


def _select_c(
    inputs: Vectors, routes: npt.NDArray[np.str_], strata: npt.NDArray[np.str_], seed: int
) -> tuple[float, float]:
    """The C with the lowest out-of-fold log loss on the training part (folds stratified like the split)."""
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed).split(inputs, strata))
    columns = np.searchsorted(np.asarray(ROUTES), routes)
    losses = {}
    for c in C_GRID:
        probabilities: Matrix = np.zeros((len(routes), len(ROUTES)))
        for fit_rows, score_rows in folds:
            probabilities[score_rows] = _fit(inputs[fit_rows], routes[fit_rows], c, seed).probabilities(
                inputs[score_rows]
            )
        picked = probabilities[np.arange(len(routes)), columns]
        losses[c] = float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))
    best = min(losses, key=lambda c: losses[c])
    return best, losses[best]


def _card_fields(
    data: RouteData, embedder_model_id: str, dim: int, hyperparameters: dict[str, float | int | str]
) -> dict[str, Any]:
    import sklearn

    trained_at = datetime.now(UTC).replace(microsecond=0)
    return {
        "version": new_version(trained_at, data.sha256),
        "embedder_model_id": embedder_model_id,
        "embedding_dim": dim,
        "data_file": data.path.name,
        "data_sha256": data.sha256,
        "trained_at": trained_at,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "hyperparameters": hyperparameters,
    }


def _parse_line(path: Path, number: int, line: str) -> RouteExample:
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as e:
        raise _invalid(f"{path}:{number}: not valid JSON ({e.msg})") from e
    if not isinstance(record, dict) or not _REQUIRED <= set(record) <= _REQUIRED | _OPTIONAL:
        raise _invalid(
            f"{path}:{number}: expected the keys {sorted(_REQUIRED)} and optionally {sorted(_OPTIONAL)}"
        )
    text, channel, route = record["text"], record["channel"], record["route"]
    if not isinstance(text, str) or not text.strip():
        raise _invalid(f"{path}:{number}: text must be a non-empty string")
    if channel not in ROUTE_CHANNELS:
        raise _invalid(f"{path}:{number}: unknown channel {channel!r} (known: {', '.join(ROUTE_CHANNELS)})")
    if route not in ROUTES:
        raise _invalid(f"{path}:{number}: unknown route {route!r} (known: {', '.join(ROUTES)})")
    flags = {k: record.get(k, False) for k in _OPTIONAL}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise _invalid(f"{path}:{number}: multi_turn and store must be true or false")
    return RouteExample(text.strip(), channel, route, **flags)


def _invalid(message: str) -> ModelError:
    return ModelError(f"invalid routing data: {message}", code="invalid_training_data")
