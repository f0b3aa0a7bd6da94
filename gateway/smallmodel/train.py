"""`loyalty-gateway train`: labelled intents → a new, evaluated intent model version.

1. Split the labelled set 80/20, stratified by intent and seeded.
2. On the 80 % only: choose the regularisation strength C and the confidence
   threshold from 5-fold out-of-fold probabilities. The held-out 20 % is never
   used to choose anything, so its numbers are an honest estimate of what
   serving will do (threshold included).
3. Fit the logistic regression on the 80 %, evaluate it on the 20 % with the
   serving decision rule, and save the version with its card and report.

The saved weights are exactly the ones evaluated; they are not refitted on all
data afterwards, so the metrics in model.json describe the artifact that serves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gateway.exceptions import ModelError
from gateway.smallmodel.artifact import (
    LinearHead,
    Matrix,
    ModelCard,
    new_version,
    weights_bytes,
    write_version,
)
from gateway.smallmodel.dataset import Dataset, load_dataset
from gateway.smallmodel.embedder import Embedder
from gateway.smallmodel.evaluate import Evaluation, choose_threshold, evaluate, sweep
from gateway.smallmodel.intent import decide
from gateway.smallmodel.labels import INTENTS
from gateway.smallmodel.report import Mistake, TrainReport, render_markdown

HELD_OUT_SHARE = 0.2
FOLDS = 5
C_GRID = (8.0, 32.0, 128.0)
REPORT_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_LABELS = tuple(sorted(INTENTS))  # scikit-learn orders classes this way

Labels = npt.NDArray[np.str_]


@dataclass(frozen=True)
class _Selection:
    c: float
    threshold: float
    out_of_fold_log_loss: float


def train_intent_model(
    dataset: Path,
    models_dir: Path,
    embedder: Embedder,
    *,
    seed: int = 7,
    report_path: Path | None = None,
) -> TrainReport:
    """Train, evaluate and save a new version under `models_dir/intent/`; refresh LATEST.

    Writes `report.json` next to the weights and, if `report_path` is given, the
    same report as markdown there.
    """
    data = load_dataset(dataset)
    vectors = embedder.encode(data.texts)
    intents = np.asarray(data.intents)
    train, held = _split(intents, seed)
    selection = _select(vectors[train], intents[train], seed)
    head = _fit(vectors[train], intents[train], selection.c, seed)
    probabilities = head.probabilities(vectors[held])
    report = _report(
        data,
        held,
        probabilities,
        selection,
        embedder_id=embedder.model_id,
        seed=seed,
        train_size=len(train),
    )
    weights = weights_bytes(head)  # serialised once: the card carries its hash
    write_version(models_dir, _card(report, head, weights), weights, report.to_dict())
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(render_markdown(report), encoding="utf-8")
    return report


def _split(intents: Labels, seed: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    from sklearn.model_selection import train_test_split

    indices = np.arange(len(intents))
    train, held = train_test_split(indices, test_size=HELD_OUT_SHARE, stratify=intents, random_state=seed)
    return np.sort(train), np.sort(held)


def _fit(vectors: npt.NDArray[np.float32], intents: Labels, c: float, seed: int) -> LinearHead:
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(C=c, max_iter=5000, random_state=seed)
    try:
        classifier.fit(vectors, intents)
    except ValueError as e:
        raise ModelError(f"cannot fit the intent model: {e}") from e
    if tuple(classifier.classes_) != _LABELS:
        raise ModelError(f"training data covers {list(classifier.classes_)}, need {list(_LABELS)}")
    return LinearHead(
        coef=np.asarray(classifier.coef_, dtype=np.float64),
        intercept=np.asarray(classifier.intercept_, dtype=np.float64),
    )


def _out_of_fold(vectors: npt.NDArray[np.float32], intents: Labels, c: float, seed: int) -> Matrix:
    """Each training example scored by a model that did not see it."""
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    probabilities = np.zeros((len(intents), len(_LABELS)), dtype=np.float64)
    for fit_rows, score_rows in folds.split(vectors, intents):
        head = _fit(vectors[fit_rows], intents[fit_rows], c, seed)
        probabilities[score_rows] = head.probabilities(vectors[score_rows])
    return probabilities


def _select(vectors: npt.NDArray[np.float32], intents: Labels, seed: int) -> _Selection:
    """C by out-of-fold log loss (a proper score: it rewards honest confidences,
    which the threshold relies on); then the threshold on that C's probabilities."""
    best: tuple[float, float, Matrix] | None = None
    for c in C_GRID:
        probabilities = _out_of_fold(vectors, intents, c, seed)
        loss = _log_loss(probabilities, intents)
        if best is None or loss < best[1]:
            best = (c, loss, probabilities)
    assert best is not None  # C_GRID is not empty
    c, loss, probabilities = best
    threshold = choose_threshold(_LABELS, probabilities, list(intents))
    return _Selection(c=c, threshold=threshold, out_of_fold_log_loss=loss)


def _log_loss(probabilities: Matrix, intents: Labels) -> float:
    columns = np.searchsorted(np.asarray(_LABELS), intents)
    picked = probabilities[np.arange(len(intents)), columns]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def _report(
    data: Dataset,
    held: npt.NDArray[np.intp],
    probabilities: Matrix,
    selection: _Selection,
    *,
    embedder_id: str,
    seed: int,
    train_size: int,
) -> TrainReport:
    import sklearn

    true = [data.examples[i].intent for i in held]
    served = decide(_LABELS, probabilities, selection.threshold)
    trained_at = datetime.now(UTC).replace(microsecond=0)
    return TrainReport(
        version=new_version(trained_at, data.sha256),
        data_file=data.path.name,
        data_sha256=data.sha256,
        counts=data.counts(),
        train_size=train_size,
        heldout_size=len(held),
        heldout_examples=tuple(int(i) for i in held),
        embedder_model_id=embedder_id,
        hyperparameters={
            "C": selection.c,
            "seed": seed,
            "held_out_share": HELD_OUT_SHARE,
            "folds": FOLDS,
            "out_of_fold_log_loss": round(selection.out_of_fold_log_loss, 4),
        },
        threshold=selection.threshold,
        served=evaluate(_LABELS, true, [p.intent for p in served]),
        argmax=_argmax_evaluation(probabilities, true),
        sweep=sweep(_LABELS, probabilities, true, REPORT_THRESHOLDS),
        mistakes=_mistakes(data, held, served),
        trained_at=trained_at,
        sklearn_version=sklearn.__version__,
    )


def _argmax_evaluation(probabilities: Matrix, true: Sequence[str]) -> Evaluation:
    return evaluate(_LABELS, true, [_LABELS[int(i)] for i in probabilities.argmax(axis=1)])


def _mistakes(data: Dataset, held: npt.NDArray[np.intp], served: Sequence[Any]) -> tuple[Mistake, ...]:
    wrong = []
    for row, prediction in zip(held, served, strict=True):
        example = data.examples[int(row)]
        if prediction.intent != example.intent:
            wrong.append(
                Mistake(
                    text=example.text,
                    channel=example.channel,
                    true=example.intent,
                    predicted=prediction.intent,
                    top_intent=prediction.top_intent or prediction.intent,
                    confidence=round(prediction.confidence, 3),
                )
            )
    return tuple(sorted(wrong, key=lambda m: -m.confidence))


def _card(report: TrainReport, head: LinearHead, weights: bytes) -> ModelCard:
    return ModelCard(
        version=report.version,
        labels=_LABELS,
        threshold=report.threshold,
        embedder_model_id=report.embedder_model_id,
        embedding_dim=int(head.coef.shape[1]),
        weights_sha256=hashlib.sha256(weights).hexdigest(),
        data_file=report.data_file,
        data_sha256=report.data_sha256,
        trained_at=report.trained_at,
        sklearn_version=report.sklearn_version,
        numpy_version=np.__version__,
        hyperparameters=report.hyperparameters,
        metrics=report.served.summary(),
    )
