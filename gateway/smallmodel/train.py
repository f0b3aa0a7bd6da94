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

`fit_candidate` does steps 1-3 without writing anything, and may add examples
learned from feedback to the training part only (never to the held-out part);
`gateway.smallmodel.promotion` decides whether a candidate replaces LATEST.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gateway.exceptions import ModelError
from gateway.smallmodel.artifact import (
    LinearHead,
    Matrix,
    ModelCard,
    intent_root,
    new_version,
    weights_bytes,
    write_version,
)
from gateway.smallmodel.dataset import Dataset, Example, load_dataset
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
class Candidate:
    """A fitted and evaluated intent model version, not yet written anywhere."""

    report: TrainReport
    head: LinearHead
    heldout_vectors: npt.NDArray[np.float32]  # to score another version on the same split
    heldout_intents: tuple[str, ...]

    @property
    def version(self) -> str:
        return self.report.version


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
    trained_at = free_time(models_dir, version_hash(data, ()))
    candidate = fit_candidate(data, embedder, seed=seed, trained_at=trained_at)
    save_candidate(models_dir, candidate, point_latest=True)
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(render_markdown(candidate.report), encoding="utf-8")
    return candidate.report


def fit_candidate(
    data: Dataset,
    embedder: Embedder,
    *,
    seed: int = 7,
    feedback: Sequence[Example] = (),
    trained_at: datetime | None = None,
) -> Candidate:
    """Split the labelled set, fit on its training part plus `feedback`, evaluate on the held-out part.

    The split depends only on the labelled set and the seed, so every version
    trained from the same file is judged on the same held-out examples.
    """
    vectors = embedder.encode(data.texts)
    intents = np.asarray(data.intents)
    train, held = _split(intents, seed)
    x, y = vectors[train], intents[train]
    if feedback:
        x = np.vstack([x, embedder.encode([e.text for e in feedback])])
        y = np.concatenate([y, np.asarray([e.intent for e in feedback])])
    selection = _select(x, y, seed)
    head = _fit(x, y, selection.c, seed)
    report = _report(
        data,
        held,
        head.probabilities(vectors[held]),
        selection,
        embedder_id=embedder.model_id,
        seed=seed,
        train_size=len(y),
        feedback=feedback,
        trained_at=trained_at or datetime.now(UTC).replace(microsecond=0),
    )
    return Candidate(report, head, vectors[held], tuple(str(i) for i in intents[held]))


def save_candidate(
    models_dir: Path, candidate: Candidate, *, point_latest: bool, notes: dict[str, Any] | None = None
) -> Path:
    """Write the candidate's version folder (with `notes` added to report.json)."""
    weights = weights_bytes(candidate.head)  # serialised once: the card carries its hash
    card = _card(candidate.report, candidate.head, weights)
    report = {**candidate.report.to_dict(), **(notes or {})}
    return write_version(models_dir, card, weights, report, point_latest=point_latest)


def free_time(models_dir: Path, data_hash: str) -> datetime:
    """Now, or a second later if a version of the same data was trained within this second
    (version names are `v<time>-<data hash>` and must not collide)."""
    moment = datetime.now(UTC).replace(microsecond=0)
    while (intent_root(models_dir) / new_version(moment, data_hash)).exists():
        moment += timedelta(seconds=1)
    return moment


def heldout_rows(data: Dataset, seed: int = 7) -> npt.NDArray[np.intp]:
    """The held-out rows of the labelled set: the same for every version trained from it."""
    return _split(np.asarray(data.intents), seed)[1]


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
    feedback: Sequence[Example],
    trained_at: datetime,
) -> TrainReport:
    import sklearn

    true = [data.examples[i].intent for i in held]
    served = decide(_LABELS, probabilities, selection.threshold)
    return TrainReport(
        version=new_version(trained_at, version_hash(data, feedback)),
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
        feedback_examples=len(feedback),
    )


def version_hash(data: Dataset, feedback: Sequence[Example]) -> str:
    """The labelled file's sha256; with feedback, a hash of both (the data differs)."""
    if not feedback:
        return data.sha256
    digest = hashlib.sha256(data.sha256.encode())
    for example in feedback:
        digest.update(f"\n{example.intent}\t{example.channel}\t{example.text}".encode())
    return digest.hexdigest()


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
