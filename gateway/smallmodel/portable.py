"""`loyalty-gateway export`: a trained intent model as a folder that runs anywhere ONNX Runtime runs.

    artifact/
    ├── encoder.onnx         tokens → unit sentence vectors (MiniLM, pooling and normalisation inside)
    ├── encoder.json         the encoder's spec (pooling, max length, model id, hashes)
    ├── tokenizer.json       for the `tokenizers` package, truncation and padding set
    ├── head.onnx            vectors → one probability per label (float64 softmax)
    ├── labels.json          label order, lookup intents, threshold: the decision rule's data
    ├── run.py               a copy of deploy/run_exported_model.py (numpy, onnxruntime, tokenizers)
    ├── model_card.json      data, held-out metrics, labels, dates, sha256 of every other file
    └── MODEL_CARD.md        the same card for people

Encoder and head stay two graphs: the 90 MB encoder is the same for every model
version (and is what the semantic cache embeds with), the head is a few kB that
changes with each training; a consumer can swap heads and check each hash alone.

Before anything is written, the staged artifact is run on the check texts the
same way `run.py` runs it and compared with the in-process model; one different
intent and the export is refused (nothing is left at `out`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from gateway.exceptions import ModelError
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel.artifact import REPORT_FILE, LinearHead, ModelCard, intent_root, read_version
from gateway.smallmodel.dataset import load_dataset
from gateway.smallmodel.intent import IntentModel, IntentPrediction, decide, load_intent_model
from gateway.smallmodel.labels import LOOKUP_INTENTS, OPEN
from gateway.smallmodel.model_card import (
    CARD_JSON,
    CARD_MARKDOWN,
    DECISION_RULE,
    ExportCard,
    ParityCheck,
    TrainingData,
    render_markdown,
)
from gateway.smallmodel.onnx_embedder import (
    ENCODER_FILE,
    SPEC_FILE,
    TOKENIZER_FILE,
    latest_encoder_dir,
    load_onnx_embedder,
    load_serving_embedder,
    read_spec,
    sha256_file,
)
from gateway.smallmodel.onnx_export import ensure_onnx_encoder

HEAD_FILE = "head.onnx"
LABELS_FILE = "labels.json"
RUNNER_FILE = "run.py"
RUNNER_SOURCE = PROJECT_ROOT / "deploy" / "run_exported_model.py"
HEAD_INPUT = "sentence_embedding"
HEAD_OUTPUT = "probabilities"
MAX_CONFIDENCE_GAP = 1e-4
HOW_TO_RUN = f"""pip install numpy onnxruntime tokenizers
python {RUNNER_FILE} . "how many points do I have"
python {RUNNER_FILE} . --json "when do my points expire" "can you recommend a wine"
python {RUNNER_FILE} . --stdin --json < questions.txt"""


@dataclass(frozen=True)
class ExportedArtifact:
    folder: Path
    card: ExportCard


def export_intent_artifact(
    models_dir: Path, out: Path, *, reference: IntentModel, texts: Sequence[str], texts_source: str
) -> ExportedArtifact:
    """Export `reference`'s version from `models_dir` into the new folder `out`.

    `reference` is the in-process model the artifact must agree with on `texts`.
    """
    if out.exists():
        raise ModelError(f"{out} already exists: export into a new folder")
    card, head = read_version(models_dir, reference.version)
    encoder = _encoder_folder(models_dir, card)
    staging = out.parent / f".{out.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        _stage(staging, encoder, card, head)
        parity = check_parity(staging, reference, texts, texts_source)
        exported = _write_card(staging, models_dir, card, parity)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportedArtifact(out, exported)


def export_version(models_dir: Path, version: str, out: Path, *, dataset: Path) -> ExportedArtifact:
    """`loyalty-gateway export`: export the encoder if missing, then the version, checked on `dataset`.

    The in-process model it is checked against is the one serving would load.
    """
    ensure_onnx_encoder(models_dir)  # needs PyTorch only when there is no encoder yet
    reference = load_intent_model(models_dir, version, embedder=load_serving_embedder(models_dir))
    texts = load_dataset(dataset).texts
    return export_intent_artifact(
        models_dir, out, reference=reference, texts=texts, texts_source=dataset.name
    )


def check_parity(folder: Path, reference: IntentModel, texts: Sequence[str], source: str) -> ParityCheck:
    """Run the artifact in `folder` like run.py does; refuse on any different intent."""
    if not texts:
        raise ModelError("no texts to check the exported model against")
    ours = predict_with_artifact(folder, texts)
    theirs = reference.predict_many(texts)
    differ = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a.intent != b.intent]
    gap = max(abs(a.confidence - b.confidence) for a, b in zip(ours, theirs, strict=True))
    if differ or gap > MAX_CONFIDENCE_GAP:
        first = differ[0] if differ else 0
        raise ModelError(
            f"exported model disagrees with the in-process model on {len(differ)} of {len(texts)} texts "
            f"(largest confidence gap {gap:.1e}); e.g. {texts[first]!r}: artifact {ours[first].intent}, "
            f"in-process {theirs[first].intent}. Nothing was written."
        )
    return ParityCheck(texts=len(texts), source=source, disagreements=0, max_confidence_gap=gap)


def predict_with_artifact(folder: Path, texts: Sequence[str]) -> list[IntentPrediction]:
    """The artifact's predictions from its own files: encoder, head and labels.json."""
    import onnxruntime as ort

    labels = json.loads((folder / LABELS_FILE).read_text(encoding="utf-8"))
    vectors = load_onnx_embedder(folder).encode(texts)
    session = ort.InferenceSession(str(folder / HEAD_FILE), providers=["CPUExecutionProvider"])
    (probabilities,) = session.run([HEAD_OUTPUT], {HEAD_INPUT: vectors})
    return decide(tuple(labels["labels"]), np.asarray(probabilities, dtype=np.float64), labels["threshold"])


def head_graph(head: LinearHead, labels: Sequence[str]) -> bytes:
    """softmax(cast(x, double) · coefᵀ + intercept), as `LinearHead.probabilities` computes it."""
    from onnx import TensorProto, checker, helper, numpy_helper

    dim = head.coef.shape[1]
    nodes = [
        helper.make_node("Cast", [HEAD_INPUT], ["x64"], to=TensorProto.DOUBLE),
        helper.make_node("MatMul", ["x64", "coef_t"], ["scores"]),
        helper.make_node("Add", ["scores", "intercept"], ["logits"]),
        helper.make_node("Softmax", ["logits"], [HEAD_OUTPUT], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "intent_head",
        [helper.make_tensor_value_info(HEAD_INPUT, TensorProto.FLOAT, ["batch", dim])],
        [helper.make_tensor_value_info(HEAD_OUTPUT, TensorProto.DOUBLE, ["batch", len(labels)])],
        initializer=[
            numpy_helper.from_array(np.ascontiguousarray(head.coef.T, dtype=np.float64), "coef_t"),
            numpy_helper.from_array(np.asarray(head.intercept, dtype=np.float64), "intercept"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.producer_name = "loyalty-gateway"
    model.ir_version = 8  # readable by any ONNX Runtime from 1.10 on
    model.doc_string = "labels: " + ", ".join(labels)
    checker.check_model(model)
    return bytes(model.SerializeToString())


def _encoder_folder(models_dir: Path, card: ModelCard) -> Path:
    folder = latest_encoder_dir(models_dir)
    if folder is None:
        raise ModelError(f"no ONNX encoder in {models_dir}: run `loyalty-gateway train` (it exports one)")
    spec = read_spec(folder)
    if spec.model_id != card.embedder_model_id:
        raise ModelError(
            f"intent model {card.version} was trained on {card.embedder_model_id}, "
            f"the ONNX encoder in {folder} computes {spec.model_id}: run `loyalty-gateway train`"
        )
    return folder


def _stage(staging: Path, encoder: Path, card: ModelCard, head: LinearHead) -> None:
    for name in (ENCODER_FILE, TOKENIZER_FILE, SPEC_FILE):
        shutil.copyfile(encoder / name, staging / name)
    (staging / HEAD_FILE).write_bytes(head_graph(head, card.labels))
    labels = {
        "labels": list(card.labels),
        "lookup_intents": [label for label in card.labels if label in LOOKUP_INTENTS],
        "open_intent": OPEN,
        "threshold": card.threshold,
        "decision_rule": DECISION_RULE,
    }
    (staging / LABELS_FILE).write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")
    if not RUNNER_SOURCE.is_file():
        raise ModelError(f"{RUNNER_SOURCE} is missing: it is copied into every artifact as {RUNNER_FILE}")
    shutil.copyfile(RUNNER_SOURCE, staging / RUNNER_FILE)


def _write_card(staging: Path, models_dir: Path, card: ModelCard, parity: ParityCheck) -> ExportCard:
    report = _training_report(models_dir, card.version)
    spec = read_spec(staging)
    exported = ExportCard(
        model_version=card.version,
        created_at=datetime.now(UTC).replace(microsecond=0),
        trained_at=card.trained_at,
        labels=card.labels,
        lookup_intents=tuple(label for label in card.labels if label in LOOKUP_INTENTS),
        open_intent=OPEN,
        threshold=card.threshold,
        decision_rule=DECISION_RULE,
        embedder_model_id=card.embedder_model_id,
        encoder={"pooling": spec.pooling, "normalized": spec.normalized, "max_length": spec.max_length,
                 "opset": spec.opset, "output": spec.output},
        data=_training_data(card, report),
        hyperparameters=card.hyperparameters,
        heldout_metrics=card.metrics,
        heldout_metrics_argmax=_summary(report.get("argmax", {})),
        parity=parity,
        files={path.name: sha256_file(path) for path in sorted(staging.iterdir())},
        how_to_run=HOW_TO_RUN,
    )
    (staging / CARD_JSON).write_text(exported.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (staging / CARD_MARKDOWN).write_text(render_markdown(exported), encoding="utf-8")
    return exported


def _training_report(models_dir: Path, version: str) -> dict[str, Any]:
    path = intent_root(models_dir) / version / REPORT_FILE
    try:
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot read the training report {path}: {e}") from e
    return report


def _training_data(card: ModelCard, report: dict[str, Any]) -> TrainingData:
    counts = {str(k): int(v) for k, v in report.get("counts", {}).items()}
    return TrainingData(
        file=card.data_file,
        sha256=card.data_sha256,
        size=sum(counts.values()),
        counts=counts,
        train_size=int(report.get("train_size", 0)),
        heldout_size=int(report.get("heldout_size", 0)),
        split="stratified by intent, seeded; threshold and C chosen out-of-fold on the training part",
    )


def _summary(evaluation: dict[str, Any]) -> dict[str, float]:
    keys = ("accuracy", "macro_f1", "lookup_to_open_rate", "open_to_lookup_rate", "lookup_confused_rate")
    return {key: float(evaluation[key]) for key in keys if key in evaluation}
