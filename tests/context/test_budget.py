"""The token budget: the least useful facts go first, identity and offers never."""

from __future__ import annotations

from datetime import date

from gateway.context.budget import PINNED, counted, fit, litellm_counter
from gateway.context.facts import purchase_facts
from gateway.turn import ContextFact, Purchase


def fact(fact_id: str, priority: int, tokens: int) -> ContextFact:
    return ContextFact(fact_id, "test", fact_id, priority, tokens)


def test_everything_stays_when_it_fits() -> None:
    facts = [fact("a", 10, 5), fact("b", 50, 5)]
    fitted = fit(facts, budget=10)
    assert [f.fact_id for f in fitted.used] == ["a", "b"] and fitted.dropped == ()


def test_the_lowest_priority_goes_first_until_the_rest_fits() -> None:
    facts = [fact("knowledge", 70, 40), fact("promotion", 35, 20), fact("purchase", 25, 20),
             fact("weather", 55, 10)]
    fitted = fit(facts, budget=55)
    assert [f.fact_id for f in fitted.dropped] == ["purchase", "promotion"]
    assert [f.fact_id for f in fitted.used] == ["knowledge", "weather"]
    assert fitted.tokens == 50


def test_pinned_facts_stay_even_over_budget() -> None:
    facts = [fact("member:tier", PINNED, 30), fact("offer:X", PINNED, 30), fact("weather", 55, 5)]
    fitted = fit(facts, budget=10)
    assert [f.fact_id for f in fitted.used] == ["member:tier", "offer:X"]
    assert [f.fact_id for f in fitted.dropped] == ["weather"]


def test_on_equal_priority_the_later_fact_goes_first() -> None:
    fitted = fit([fact("first", 40, 10), fact("second", 40, 10)], budget=10)
    assert [f.fact_id for f in fitted.dropped] == ["second"]


def test_the_oldest_purchase_is_the_first_to_go() -> None:
    lines = [Purchase(date(2026, 1, d), f"item {d}", "GROCERY", "SOUP", 1, 1.0, "1") for d in (9, 8, 7)]
    facts = [ContextFact(f.fact_id, f.section, f.text, f.priority, 10) for f in purchase_facts(lines)]
    assert [f.fact_id for f in fit(facts, budget=20).dropped] == ["purchase:2"]


def test_litellm_counts_tokens_offline() -> None:
    count = litellm_counter("gpt-4o-mini")
    short = count("Bread on display.")
    longer = count("Bread on display in store, and eggs in this week's mailer.")
    assert 0 < short < longer
    assert [f.tokens for f in counted([fact("a", 1, 0)], count)] == [count("a")]
