from __future__ import annotations

import json
import re

from gateway.smallmodel import LOOKUP_INTENTS
from gateway.smallmodel.artifact import ModelCard

from .conftest import Trained


def test_held_out_accuracy_is_at_least_ninety_percent(trained: Trained) -> None:
    served = trained.report.served
    assert served.accuracy >= 0.9
    assert served.macro_f1 >= 0.9


def test_the_threshold_keeps_templates_off_open_questions(trained: Trained) -> None:
    served, argmax = trained.report.served, trained.report.argmax
    assert 0.0 < trained.report.threshold < 1.0
    assert served.open_to_lookup_rate <= argmax.open_to_lookup_rate
    assert served.open_to_lookup_rate <= 0.05
    assert served.lookup_confused_rate <= 0.02


def test_every_lookup_intent_is_recalled_on_held_out(trained: Trained) -> None:
    per_intent = trained.report.served.per_intent
    for intent in LOOKUP_INTENTS:
        assert per_intent[intent].recall >= 0.75, (intent, per_intent[intent])
        assert per_intent[intent].support >= 12


def test_the_split_is_stratified_and_disjoint(trained: Trained) -> None:
    report = trained.report
    assert len(set(report.heldout_examples)) == report.heldout_size
    total = sum(report.counts.values())
    assert report.train_size + report.heldout_size == total
    assert abs(report.heldout_size - 0.2 * total) <= len(report.counts)


def test_a_version_folder_holds_arrays_and_json_only(trained: Trained) -> None:
    version = trained.report.version
    assert re.fullmatch(r"v\d{8}T\d{6}Z-[0-9a-f]{8}", version)
    assert version.endswith(trained.report.data_sha256[:8])
    folder = trained.models_dir / "intent" / version
    assert sorted(p.name for p in folder.iterdir()) == ["model.json", "report.json", "weights.npz"]
    assert (trained.models_dir / "intent" / "LATEST").read_text().strip() == version


def test_the_model_card_records_what_made_the_model(trained: Trained) -> None:
    folder = trained.models_dir / "intent" / trained.report.version
    card = ModelCard.model_validate_json((folder / "model.json").read_bytes())
    assert card.threshold == trained.report.threshold
    assert card.embedder_model_id == trained.report.embedder_model_id
    assert card.data_sha256 == trained.report.data_sha256
    assert card.metrics["accuracy"] == trained.report.served.accuracy
    assert set(card.labels) == set(trained.report.counts)
    assert card.sklearn_version


def test_the_report_is_saved_as_json_and_markdown(trained: Trained) -> None:
    folder = trained.models_dir / "intent" / trained.report.version
    saved = json.loads((folder / "report.json").read_text())
    assert saved["served"]["confusion"] == [list(r) for r in trained.report.served.confusion]
    markdown = trained.markdown.read_text()
    assert markdown.startswith(f"# Intent model {trained.report.version}")
    assert "## Confusion matrix" in markdown
    assert f"threshold **{trained.report.threshold:.2f}**" in markdown
