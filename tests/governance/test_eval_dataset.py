"""The governance evaluation set (evals/governance/data) has the shape the runner needs.

The full end-to-end run lives in `python -m evals.governance.run`; this checks the data.
"""

from __future__ import annotations

from collections import Counter

import pytest

from evals.governance.dataset import CATEGORIES, PLACEHOLDERS, Item, fill, load_items
from gateway.governance._facts import SECTION


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
