from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from gateway.exceptions import ModelError
from gateway.smallmodel import LOOKUP_INTENTS, OPEN
from gateway.smallmodel.dataset import load_dataset

from .conftest import INTENT_DATA


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _valid_rows() -> list[dict[str, str]]:
    intents = (*LOOKUP_INTENTS, OPEN)
    return [
        {"text": f"{intent} example {n}", "intent": intent, "channel": "app"}
        for intent in intents
        for n in range(10)
    ]


def test_shipped_set_has_enough_examples_of_every_intent() -> None:
    counts = load_dataset(INTENT_DATA).counts()
    assert all(counts[intent] >= 60 for intent in LOOKUP_INTENTS), counts
    assert counts[OPEN] >= 250


def test_shipped_set_covers_every_channel_for_every_intent() -> None:
    examples = load_dataset(INTENT_DATA).examples
    pairs = Counter((e.intent, e.channel) for e in examples)
    for intent in (*LOOKUP_INTENTS, OPEN):
        for channel in ("app", "kiosk", "associate"):
            assert pairs[(intent, channel)] >= 10, (intent, channel)


def test_shipped_set_has_the_named_near_misses_as_open() -> None:
    labels = {e.text: e.intent for e in load_dataset(INTENT_DATA).examples}
    for text in (
        "how do points work in general?",
        "what tiers exist?",
        "can I transfer points to my friend?",
        "what's the best offer you have for everyone?",
        "my points were wrong last week",
    ):
        assert labels[text] == OPEN


def test_a_small_valid_file_loads_with_its_hash(tmp_path: Path) -> None:
    dataset = load_dataset(_write(tmp_path / "ok.jsonl", _valid_rows()))
    assert len(dataset.examples) == 70
    assert len(dataset.sha256) == 64


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ({"text": "hi", "intent": "weather", "channel": "app"}, "unknown intent 'weather'"),
        ({"text": "hi", "intent": "open", "channel": "web"}, "unknown channel 'web'"),
        ({"text": "hi", "intent": "open", "channel": "app", "lang": "en"}, "expected exactly the keys"),
        ({"text": "  ", "intent": "open", "channel": "app"}, "non-empty string"),
        ({"text": "Open  Example 3", "intent": "open", "channel": "kiosk"}, "duplicate of line"),
    ],
)
def test_a_bad_line_is_rejected_with_its_line_number(
    tmp_path: Path, bad_row: dict[str, str], message: str
) -> None:
    path = _write(tmp_path / "bad.jsonl", [*_valid_rows(), bad_row])
    with pytest.raises(ModelError, match=message) as caught:
        load_dataset(path)
    assert ":71:" in caught.value.message


def test_an_intent_with_too_few_examples_is_rejected(tmp_path: Path) -> None:
    rows = [r for r in _valid_rows() if not (r["intent"] == "store_hours" and r["text"].endswith("9"))]
    with pytest.raises(ModelError, match="at least 10 examples per intent"):
        load_dataset(_write(tmp_path / "thin.jsonl", rows))
