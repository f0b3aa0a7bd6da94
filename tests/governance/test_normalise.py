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
