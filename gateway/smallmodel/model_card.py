"""The card of an exported intent model: what it is, what it was trained on, how it did.

`model_card.json` is for machines (validated, unknown keys refused), `MODEL_CARD.md`
for people; both are written from the same `ExportCard`, so they cannot disagree.
The card lists the sha256 of every other file in the artifact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CARD_JSON = "model_card.json"
CARD_MARKDOWN = "MODEL_CARD.md"

DECISION_RULE = (
    "Take the intent with the highest probability. If it is a lookup intent and its probability "
    "is below the threshold, answer `open` instead (the question goes to the LLM): a wrong "
    "template answer costs more than a deferral."
)


class TrainingData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    sha256: str
    size: int
    counts: dict[str, int]
    train_size: int
    heldout_size: int
    split: str


class ParityCheck(BaseModel):
    """The export-time comparison of the artifact with the in-process model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    texts: int = Field(gt=0)
    source: str
    disagreements: int = Field(ge=0)
    max_confidence_gap: float


class ExportCard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1] = 1
    kind: Literal["intent-classifier-onnx"] = "intent-classifier-onnx"
    model_version: str
    created_at: datetime
    trained_at: datetime
    labels: tuple[str, ...]
    lookup_intents: tuple[str, ...]
    open_intent: str
    threshold: float
    decision_rule: str
    embedder_model_id: str
    encoder: dict[str, str | int | bool]
    data: TrainingData
    hyperparameters: dict[str, float | int | str]
    heldout_metrics: dict[str, float]
    heldout_metrics_argmax: dict[str, float]
    parity: ParityCheck
    files: dict[str, str]  # name → sha256 of every other file in the artifact
    how_to_run: str


def render_markdown(card: ExportCard) -> str:
    sections = [_summary(card), _data(card), _metrics(card), _labels(card), _files(card), _run(card)]
    return "\n\n".join(sections) + "\n"


def _summary(c: ExportCard) -> str:
    return "\n".join(
        [
            f"# Intent model {c.model_version} (exported)",
            "",
            f"- exported {c.created_at.isoformat()}; trained {c.trained_at.isoformat()}",
            f"- embeddings `{c.embedder_model_id}`: {c.encoder.get('pooling')} pooling, "
            f"L2-normalised, max {c.encoder.get('max_length')} tokens, inside `encoder.onnx`",
            "- head: multinomial logistic regression (`head.onnx`, float64, softmax)",
            f"- parity at export: {c.parity.texts} texts of `{c.parity.source}`, "
            f"{c.parity.disagreements} disagreements with the in-process model, "
            f"largest confidence gap {c.parity.max_confidence_gap:.1e}",
        ]
    )


def _data(c: ExportCard) -> str:
    counts = ", ".join(f"{intent} {n}" for intent, n in c.data.counts.items())
    params = ", ".join(f"{k}={v}" for k, v in c.hyperparameters.items())
    return "\n".join(
        [
            "## Training data",
            "",
            f"`{c.data.file}` (sha256 `{c.data.sha256}`), {c.data.size} labelled questions: {counts}.",
            f"Split {c.data.train_size} train / {c.data.heldout_size} held out ({c.data.split}). {params}.",
        ]
    )


def _metrics(c: ExportCard) -> str:
    lines = [
        "## Held-out metrics",
        "",
        f"| metric | served (threshold {c.threshold:.2f}) | argmax only |",
        "| --- | ---: | ---: |",
    ]
    for key, value in c.heldout_metrics.items():
        lines.append(f"| {key} | {value:.3f} | {c.heldout_metrics_argmax.get(key, float('nan')):.3f} |")
    return "\n".join(lines)


def _labels(c: ExportCard) -> str:
    lookup = ", ".join(f"`{label}`" for label in c.lookup_intents)
    return "\n".join(
        [
            "## Labels and decision rule",
            "",
            "Output columns of `head.onnx`, in order: " + ", ".join(f"`{label}`" for label in c.labels) + ".",
            f"Lookup intents: {lookup}; the catch-all is `{c.open_intent}`.",
            f"Threshold **{c.threshold:.2f}**. {c.decision_rule}",
        ]
    )


def _files(c: ExportCard) -> str:
    lines = ["## Files", "", "| file | sha256 |", "| --- | --- |"]
    lines += [f"| `{name}` | `{digest}` |" for name, digest in sorted(c.files.items())]
    return "\n".join(lines)


def _run(c: ExportCard) -> str:
    return "## How to run\n\n```sh\n" + c.how_to_run + "\n```"
