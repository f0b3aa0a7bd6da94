"""The training report: what was trained on what, and how it did on held-out data.

The same object is saved as `report.json` next to the weights and rendered as
markdown for people (`evals/intents/report.md`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from gateway.smallmodel.evaluate import DEFER_COST, WRONG_ANSWER_COST, Evaluation

_MAX_MISTAKES_SHOWN = 40


@dataclass(frozen=True)
class Mistake:
    """A held-out example the served model got wrong."""

    text: str
    channel: str
    true: str
    predicted: str
    top_intent: str
    confidence: float


@dataclass(frozen=True)
class TrainReport:
    version: str
    data_file: str
    data_sha256: str
    counts: dict[str, int]
    train_size: int
    heldout_size: int
    heldout_examples: tuple[int, ...]  # 0-based positions in the data file, to reproduce
    embedder_model_id: str
    hyperparameters: dict[str, float | int | str]
    threshold: float
    served: Evaluation  # argmax, then unsure lookups → open: what serving does
    argmax: Evaluation  # no threshold, for comparison
    sweep: list[dict[str, float]]
    mistakes: tuple[Mistake, ...]
    trained_at: datetime
    sklearn_version: str
    feedback_examples: int = 0  # of train_size: examples learned from feedback in the audit log

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["trained_at"] = self.trained_at.isoformat()
        return data


def render_markdown(report: TrainReport) -> str:
    sections = [
        _header(report),
        _overview(report),
        _per_intent(report.served),
        _confusion(report.served),
        _sweep(report),
        _mistakes(report),
    ]
    return "\n\n".join(sections) + "\n"


def _header(r: TrainReport) -> str:
    counts = ", ".join(f"{intent} {n}" for intent, n in r.counts.items())
    params = ", ".join(f"{k}={v}" for k, v in r.hyperparameters.items())
    return "\n".join(
        [
            f"# Intent model {r.version}",
            "",
            f"- trained {r.trained_at.isoformat()} with scikit-learn {r.sklearn_version}",
            f"- data `{r.data_file}` sha256 `{r.data_sha256}`: {counts}",
            f"- split: {r.train_size} train / {r.heldout_size} held out (stratified)"
            + (f"; {r.feedback_examples} of the training examples come from feedback"
               if r.feedback_examples else ""),
            f"- embeddings `{r.embedder_model_id}`; logistic regression, {params}",
            f"- confidence threshold **{r.threshold:.2f}**, chosen on out-of-fold "
            f"predictions of the training part (cost: wrong answer {WRONG_ANSWER_COST:g}, "
            f"deferral to the LLM {DEFER_COST:g}); the held-out part chose nothing",
        ]
    )


def _overview(r: TrainReport) -> str:
    rows = [
        ("accuracy", "accuracy"),
        ("macro F1", "macro_f1"),
        ("lookup → open (sent to the LLM)", "lookup_to_open_rate"),
        ("open → lookup (template answered an open question)", "open_to_lookup_rate"),
        ("lookup → other lookup (wrong template)", "lookup_confused_rate"),
    ]
    served, argmax = r.served.summary(), r.argmax.summary()
    lines = [
        "## Held-out results",
        "",
        f"| metric | served (threshold {r.threshold:.2f}) | argmax only |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {name} | {served[key]:.3f} | {argmax[key]:.3f} |" for name, key in rows]
    return "\n".join(lines)


def _per_intent(e: Evaluation) -> str:
    lines = [
        "## Per intent (served)",
        "",
        "| intent | precision | recall | F1 | support |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for intent, s in e.per_intent.items():
        lines.append(f"| {intent} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |")
    return "\n".join(lines)


def _confusion(e: Evaluation) -> str:
    lines = [
        "## Confusion matrix (served; rows true, columns predicted)",
        "",
        "| true \\ predicted | " + " | ".join(e.labels) + " |",
        "| --- |" + " ---: |" * len(e.labels),
    ]
    for label, row in zip(e.labels, e.confusion, strict=True):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def _sweep(r: TrainReport) -> str:
    lines = [
        "## Threshold sweep (held-out, for reference only)",
        "",
        "| threshold | accuracy | lookup → open | open → lookup | wrong lookup |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in r.sweep:
        lines.append(
            f"| {row['threshold']:.2f} | {row['accuracy']:.3f} | {row['lookup_to_open_rate']:.3f} "
            f"| {row['open_to_lookup_rate']:.3f} | {row['lookup_confused_rate']:.3f} |"
        )
    return "\n".join(lines)


def _mistakes(r: TrainReport) -> str:
    if not r.mistakes:
        return "## Held-out mistakes\n\nNone."
    lines = [
        f"## Held-out mistakes ({len(r.mistakes)}, most confident first)",
        "",
        "| text | channel | true | served | top guess | confidence |",
        "| --- | --- | --- | --- | --- | ---: |",
    ]
    for m in r.mistakes[:_MAX_MISTAKES_SHOWN]:
        text = m.text.replace("|", "\\|")
        lines.append(
            f"| {text} | {m.channel} | {m.true} | {m.predicted} | {m.top_intent} | {m.confidence:.3f} |"
        )
    return "\n".join(lines)
