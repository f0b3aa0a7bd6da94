"""Sentences: the unit of repair, and of holding back a streamed answer."""

from __future__ import annotations

from gateway.governance import split_complete, split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_sentences_end_at_terminal_punctuation() -> None:
    assert texts("Hello there. You have 1,250 points! Anything else?") == [
        "Hello there.", "You have 1,250 points!", "Anything else?"]


def test_decimal_points_and_abbreviations_do_not_end_a_sentence() -> None:
    assert texts("Milk is $3.49 today. See e.g. aisle 5. We open at 8 a.m. Monday.") == [
        "Milk is $3.49 today.", "See e.g. aisle 5.", "We open at 8 a.m. Monday."]


def test_each_line_is_a_unit_and_list_numbers_stay_with_their_item() -> None:
    assert texts("Options:\n1. Milk\n2. Bread") == ["Options:", "1. Milk", "2. Bread"]


def test_spans_point_into_the_text() -> None:
    text = "  One.  Two!\nThree"
    assert [text[s.start : s.end] for s in split_sentences(text)] == ["One.", "Two!", "Three"]


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert texts('She said "Yes." Then left.') == ['She said "Yes."', "Then left."]


def test_streaming_holds_back_the_last_sentence() -> None:
    assert split_complete("Milk is $3.") == ("", "Milk is $3.")
    assert split_complete("One. Two. Thr") == ("One. Two. ", "Thr")
    assert split_complete("One. Two.") == ("One. ", "Two.")
