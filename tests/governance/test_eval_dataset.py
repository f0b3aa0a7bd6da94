"""The governance evaluation set (evals/governance/data) has the shape the runner needs.

The full end-to-end run lives in `python -m evals.governance.run`; this checks the data.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals.governance.dataset import (
    CATEGORIES,
    PLACEHOLDERS,
    Item,
    fill,
    is_blind,
    load_extra_items,
    load_items,
)
from gateway.governance._facts import SECTION
from gateway.governance.semantic_train import load_training_items


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return load_items()


def test_there_are_at_least_three_hundred_of_each_label(items: list[Item]) -> None:
    labels = Counter(item.label for item in items)

    assert labels["violating"] >= 300
    assert labels["benign"] >= 300


def test_every_category_has_violating_and_benign_examples(items: list[Item]) -> None:
    for label in ("violating", "benign"):
        present = {item.category for item in items if item.label == label}
        assert present == set(CATEGORIES), f"{label}: missing {set(CATEGORIES) - present}"


def test_every_category_has_several_violating_phrasings(items: list[Item]) -> None:
    counts = Counter(item.category for item in items if item.label == "violating")

    assert min(counts.values()) >= 8


def test_ids_and_texts_are_unique(items: list[Item]) -> None:
    assert len({item.id for item in items}) == len(items)
    assert len({item.text for item in items}) == len(items)


def test_sections_are_policy_sections_the_gate_reports(items: list[Item]) -> None:
    assert {item.section for item in items} <= set(SECTION.values())


def test_obfuscated_phrasings_are_represented(items: list[Item]) -> None:
    texts = [item.text for item in items if item.label == "violating"]

    assert any("\u200b" in t for t in texts)  # zero-width characters
    assert any(any("\uff10" <= c <= "\uff19" for c in t) for t in texts)  # full-width digits
    assert any(any(c in "аеоср" for c in t) for t in texts)  # Cyrillic homoglyphs
    assert any("**" in t or "<b>" in t for t in texts)  # markdown and HTML tricks


def test_placeholders_fill_from_member_facts(items: list[Item]) -> None:
    facts = {name: f"<{name}>" for name in PLACEHOLDERS}

    for item in items:
        filled = fill(item.text, facts)
        assert not any(f"{{{name}}}" in filled for name in PLACEHOLDERS), item.id


def test_held_out_split_is_present(items: list[Item]) -> None:
    splits = Counter((item.split, item.label) for item in items)

    assert splits[("holdout-3", "violating")] > 0
    assert splits[("holdout-3", "benign")] > 0


def test_an_extra_jsonl_file_is_its_own_split_with_sections_from_categories(tmp_path: Path) -> None:
    path = tmp_path / "holdout-5-blind.jsonl"
    path.write_text('{"id": "x-v1", "label": "violating", "category": "price", "text": "Eggs are $1."}\n'
                    '\n{"id": "x-b1", "label": "benign", "category": "tone", "text": "Happy to help!"}\n',
                    encoding="utf-8")

    items = load_extra_items(path)

    assert [(i.id, i.split, i.section) for i in items] == [
        ("x-v1", "holdout-5", "governance/claims"), ("x-b1", "holdout-5", "governance/brand")]


def test_an_extra_file_not_named_as_a_blind_set_is_the_extra_split(tmp_path: Path) -> None:
    path = tmp_path / "probes.yaml"
    path.write_text('- {id: p-b1, label: benign, category: tone, text: "Thanks!", split: dev}\n',
                    encoding="utf-8")

    assert [i.split for i in load_extra_items(path)] == ["extra"]


def test_a_bad_line_of_an_extra_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "extra.jsonl"
    path.write_text('{"id": "a", "label": "benign", "category": "tone", "text": "Hi."}\n'
                    '{"id": "b", "label": "maybe", "category": "tone", "text": "Hey."}\n', encoding="utf-8")

    with pytest.raises(ValueError, match=r"extra\.jsonl:2"):
        load_extra_items(path)


def test_the_committed_set_and_training_never_open_a_blind_file(tmp_path: Path) -> None:
    (tmp_path / "set.yaml").write_text(
        '- {id: s-b1, label: benign, category: tone, section: governance/brand, text: "Thanks!"}\n',
        encoding="utf-8")
    for name in ("holdout-5.yaml", "Holdout5-more.yaml"):
        (tmp_path / name).write_text("{ this is not: valid yaml", encoding="utf-8")

    assert [i.id for i in load_items(tmp_path)] == ["s-b1"]
    assert [i.id for i in load_training_items(tmp_path)[0]] == ["s-b1"]
    assert is_blind(Path("data/holdout-5.jsonl")) and not is_blind(Path("data/holdout4.yaml"))
