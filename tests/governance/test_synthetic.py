"""Templated training sentences for the claim classifier: seeded, grouped by template, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.governance._synthetic import synthetic_sentences

TEMPLATES = """
per_template: 3
slots:
  item: [the bread, the milk, the eggs, the tea]
violating:
  discount: ["{item} won't cost you a thing."]
benign:
  discount: ["{item} is in aisle 4."]
"""


def test_each_template_yields_seeded_fillings_in_its_own_group(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATES, encoding="utf-8")

    first, again = synthetic_sentences(path, seed=3), synthetic_sentences(path, seed=3)

    assert first == again
    assert {(s.group, s.label) for s in first} == {("syn:violating:discount:0", "violating"),
                                                   ("syn:benign:discount:0", "benign")}
    assert all(s.text[0].isupper() and "{" not in s.text for s in first)


def test_a_template_with_an_unknown_slot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATES.replace("{item} is in", "{product} is in"), encoding="utf-8")

    with pytest.raises(ValueError, match="product"):
        synthetic_sentences(path)


def test_the_shipped_template_file_is_valid() -> None:
    path = Path(__file__).parents[2] / "evals" / "governance" / "synthetic" / "claims.yaml"

    sentences = synthetic_sentences(path)

    assert {s.label for s in sentences} == {"violating", "benign"}
