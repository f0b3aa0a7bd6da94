"""Checks read the text as the member sees it; findings point at the original text."""

from __future__ import annotations

import pytest

from gateway.governance._normalise import normalise


@pytest.mark.parametrize(
    ("original", "read_as"),
    [
        ("９０％ off", "90% off"),
        ("9\u200b0\u2060% off", "90% off"),
        ("fr\u0435\u0435 coff\u0435\u0435", "free coffee"),  # Cyrillic е
        ("9O% off", "90% off"),
        ("90&#37; off", "90% off"),
        ("90\\% off", "90% off"),
        ("won\u2019t expire", "won't expire"),
        ("𝐟𝐫𝐞𝐞", "free"),  # mathematical bold letters
    ],
)
def test_disguises_are_read_as_plain_text(original: str, read_as: str) -> None:
    assert normalise(original).text == read_as


def test_spans_map_back_to_the_original_characters() -> None:
    original = "Get ９\u200b０&#37; off"
    norm = normalise(original)

    start = norm.text.index("90%")
    first, last = norm.original_span(start, start + 3)

    assert original[first:last] == "９\u200b０&#37;"


def test_plain_ascii_is_left_alone() -> None:
    norm = normalise("Milk is in aisle 5.")

    assert norm.text == "Milk is in aisle 5."
    assert norm.original_span(0, 4) == (0, 4)


def test_words_containing_the_letter_o_are_not_numbers() -> None:
    assert normalise("Go 2 the store, 10 o'clock, 2oz").text == "Go 2 the store, 10 o'clock, 2oz"


@pytest.mark.parametrize(
    ("original", "read_as"),
    [
        ("**40%** off", "40% off"),
        ("<b>2</b>0% off", "20% off"),
        ("`35%` off", "35% off"),
        ("f r e e delivery", "free delivery"),
        ("3 0 % off", "30 % off"),
        ("c0de SAVE15", "code SAVE15"),
        ("٢٠٪", "٢٠%"),
    ],
)
def test_markup_and_spreading_are_undone(original: str, read_as: str) -> None:
    assert normalise(original).text == read_as


def test_spans_map_back_through_removed_markup() -> None:
    original = "Get **4**0% off"
    norm = normalise(original)

    start = norm.text.index("40%")
    first, last = norm.original_span(start, start + 3)

    assert original[first:last] == "4**0%"


def test_phrase_pattern_prefers_the_longest_phrase_and_whole_words() -> None:
    import re

    from gateway.governance._normalise import phrase_pattern

    pattern = re.compile(phrase_pattern(("buy one", "buy one get one", "free", "n't")), re.I)

    assert [m.group() for m in pattern.finditer("Buy one, get one free")] == [
        "Buy one, get one", "free"]
    assert pattern.search("freedom") is None
    assert [m.group() for m in pattern.finditer("can't")] == ["n't"]
