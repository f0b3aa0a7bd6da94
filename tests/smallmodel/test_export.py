"""`loyalty-gateway export`: a portable ONNX artifact that predicts exactly like the in-process model."""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from gateway.cli import app as cli
from gateway.exceptions import ModelError
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import Embedder, IntentModel, load_intent_model
from gateway.smallmodel.artifact import LinearHead, read_version
from gateway.smallmodel.model_card import CARD_JSON, CARD_MARKDOWN, ExportCard
from gateway.smallmodel.portable import (
    HEAD_INPUT,
    HEAD_OUTPUT,
    export_intent_artifact,
    head_graph,
)
from tests.support.models import Trained

INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"
RUNNER = PROJECT_ROOT / "deploy" / "run_exported_model.py"
RUNNER_MAY_IMPORT = {"__future__", "argparse", "json", "pathlib", "sys", "numpy", "onnxruntime", "tokenizers"}
ARTIFACT_FILES = {
    "encoder.onnx", "encoder.json", "tokenizer.json", "head.onnx", "labels.json", "run.py",
    CARD_JSON, CARD_MARKDOWN,
}


def labelled(n: int | None = None) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in INTENT_DATA.read_text(encoding="utf-8").splitlines()]
    return rows if n is None else rows[:: len(rows) // n][:n]


@pytest.fixture(scope="module")
def artifact(onnx_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Exported once, through the command line, checked on the whole labelled set."""
    out = tmp_path_factory.mktemp("export") / "artifact"
    result = CliRunner().invoke(
        cli, ["export", "--version", "latest", "--out", str(out)],
        env={"MODELS_DIR": str(onnx_models_dir)},
    )
    assert result.exit_code == 0, result.output
    assert "0 disagreements" in result.output
    return out


@pytest.fixture(scope="module")
def in_process(onnx_models_dir: Path, onnx_embedder: Embedder) -> IntentModel:
    return load_intent_model(onnx_models_dir, embedder=onnx_embedder)


def card_of(artifact: Path) -> ExportCard:
    return ExportCard.model_validate_json((artifact / CARD_JSON).read_bytes())


def test_the_artifact_holds_every_file_and_the_card_has_each_ones_sha256(artifact: Path) -> None:
    assert {p.name for p in artifact.iterdir()} == ARTIFACT_FILES
    card = card_of(artifact)
    assert set(card.files) == ARTIFACT_FILES - {CARD_JSON, CARD_MARKDOWN}
    for name, digest in card.files.items():
        assert hashlib.sha256((artifact / name).read_bytes()).hexdigest() == digest, name
    assert not list(artifact.parent.glob(".*partial"))


def test_the_card_says_what_was_trained_on_what_and_how_it_did(artifact: Path, trained: Trained) -> None:
    card, report = card_of(artifact), trained.report
    assert card.model_version == report.version
    assert card.data.file == "intents.jsonl"
    assert card.data.sha256 == hashlib.sha256(INTENT_DATA.read_bytes()).hexdigest()
    assert card.data.size == len(labelled())
    assert (card.data.train_size, card.data.heldout_size) == (report.train_size, report.heldout_size)
    assert card.heldout_metrics == report.served.summary()
    assert card.heldout_metrics_argmax == report.argmax.summary()
    assert card.threshold == report.threshold
    assert card.embedder_model_id == report.embedder_model_id
    assert card.parity.texts == len(labelled())
    assert card.parity.disagreements == 0
    assert card.created_at >= card.trained_at


def test_labels_json_carries_the_decision_rule_data(artifact: Path, in_process: IntentModel) -> None:
    labels = json.loads((artifact / "labels.json").read_text(encoding="utf-8"))
    assert tuple(labels["labels"]) == in_process.labels
    assert labels["threshold"] == in_process.threshold
    assert labels["open_intent"] == "open"
    assert "open" not in labels["lookup_intents"]


def test_the_markdown_card_shows_the_same_facts(artifact: Path) -> None:
    card, text = card_of(artifact), (artifact / CARD_MARKDOWN).read_text(encoding="utf-8")
    assert card.model_version in text
    assert card.data.sha256 in text
    assert f"threshold {card.threshold:.2f}" in text
    assert all(digest in text for digest in card.files.values())
    assert "python run.py ." in text


def test_the_onnx_head_computes_the_linear_heads_probabilities(trained_models_dir: Path) -> None:
    import onnxruntime as ort

    card, head = read_version(trained_models_dir, "latest")
    session = ort.InferenceSession(head_graph(head, card.labels), providers=["CPUExecutionProvider"])
    vectors = np.random.default_rng(3).normal(size=(16, 384)).astype(np.float32)
    (probabilities,) = session.run([HEAD_OUTPUT], {HEAD_INPUT: vectors})
    np.testing.assert_allclose(probabilities, head.probabilities(vectors), rtol=0, atol=1e-12)


def test_export_is_refused_when_the_artifact_disagrees_with_the_in_process_model(
    onnx_models_dir: Path, onnx_embedder: Embedder, tmp_path: Path
) -> None:
    card, head = read_version(onnx_models_dir, "latest")
    corrupted = LinearHead(coef=head.coef[::-1].copy(), intercept=head.intercept[::-1].copy())
    reference = IntentModel(card, corrupted, onnx_embedder)
    out = tmp_path / "artifact"
    texts = [row["text"] for row in labelled(40)]
    with pytest.raises(ModelError, match=r"disagrees with the in-process model on \d+ of 40 texts"):
        export_intent_artifact(onnx_models_dir, out, reference=reference, texts=texts, texts_source="t")
    assert list(tmp_path.iterdir()) == []  # nothing written, no staging left behind


def test_export_into_an_existing_folder_is_refused(
    onnx_models_dir: Path, in_process: IntentModel, tmp_path: Path
) -> None:
    with pytest.raises(ModelError, match="already exists"):
        export_intent_artifact(
            onnx_models_dir, tmp_path, reference=in_process, texts=["hi"], texts_source="t"
        )


def test_export_without_an_onnx_encoder_says_how_to_get_one(
    trained_models_dir: Path, in_process: IntentModel, tmp_path: Path
) -> None:
    with pytest.raises(ModelError, match=r"no ONNX encoder .* run `loyalty-gateway train`"):
        export_intent_artifact(
            trained_models_dir, tmp_path / "out", reference=in_process, texts=["hi"], texts_source="t"
        )


def run_standalone(script: Path, artifact: Path, *args: str, stdin: str | None = None) -> str:
    """`python -I`: isolated, no PYTHONPATH, no current folder on the path: the gateway is unreachable."""
    result = subprocess.run(
        [sys.executable, "-I", str(script), str(artifact), *args],
        input=stdin, capture_output=True, text=True, check=True, cwd=artifact,
    )
    return result.stdout


def test_the_standalone_runner_predicts_like_the_in_process_model(
    artifact: Path, in_process: IntentModel
) -> None:
    texts = [row["text"] for row in labelled(50)]
    printed = json.loads(run_standalone(RUNNER, artifact, "--stdin", "--json", stdin="\n".join(texts)))
    expected = in_process.predict_many(texts)
    assert [p["intent"] for p in printed] == [p.intent for p in expected]
    assert [p["top_intent"] for p in printed] == [p.top_intent for p in expected]
    confidences = [p["confidence"] for p in printed]
    np.testing.assert_allclose(confidences, [p.confidence for p in expected], atol=1e-9)


def test_the_artifacts_own_copy_runs_and_prints_intent_and_confidence(artifact: Path) -> None:
    line = run_standalone(artifact / "run.py", artifact, "how many points do I have").strip()
    intent, confidence, text = line.split("\t")
    assert (intent, text) == ("points_balance", "how many points do I have")
    assert 0.5 < float(confidence) <= 1.0


def test_the_runner_imports_nothing_from_the_gateway() -> None:
    tree = ast.parse(RUNNER.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= RUNNER_MAY_IMPORT
    assert "gateway" not in imported


def test_the_artifact_carries_the_runner(artifact: Path) -> None:
    assert (artifact / "run.py").read_bytes() == RUNNER.read_bytes()
