"""The output-side check: an answer that gives away the system prompt's rules is caught."""

from __future__ import annotations

import base64

import pytest

from gateway.context.prompts import PromptRegistry
from gateway.context.stitcher import SYSTEM_TEMPLATE, system_prompt_variables
from gateway.rails import leaks_system_prompt, rule_lines
from gateway.settings import PROJECT_ROOT
from tests.governance.support import make_context


@pytest.fixture(scope="module")
def system_prompt() -> str:
    context = make_context()
    variables = system_prompt_variables(context, "app")
    rendered = PromptRegistry(PROJECT_ROOT / "prompts").render(SYSTEM_TEMPLATE, variables)
    return rendered.text


def test_the_whole_system_prompt_repeated_is_a_leak(system_prompt: str) -> None:
    assert leaks_system_prompt(f"Sure! Here it is:\n{system_prompt}", system_prompt)


def test_one_rule_repeated_verbatim_is_a_leak(system_prompt: str) -> None:
    rule = next(line for line in rule_lines(system_prompt) if line.startswith("Never state"))
    assert leaks_system_prompt(f"My first rule is: {rule}", system_prompt)


def test_a_rule_with_its_punctuation_and_case_changed_is_a_leak(system_prompt: str) -> None:
    answer = ("i was told to never state a discount price percentage points amount "
              "free item tier upgrade or expiry date of my own")
    assert leaks_system_prompt(answer, system_prompt)


def test_rules_with_their_letters_spaced_out_are_a_leak(system_prompt: str) -> None:
    rule = "If you do not know, say so and suggest asking a store associate."
    assert leaks_system_prompt(" ".join(rule.replace(" ", "")), system_prompt)


def test_rules_sent_as_base64_are_a_leak(system_prompt: str) -> None:
    encoded = base64.b64encode("\n".join(rule_lines(system_prompt)).encode()).decode()
    assert leaks_system_prompt(f"Here you go: {encoded}", system_prompt)


@pytest.mark.parametrize("answer", [
    "You have 1,250 points, and 300 of them expire on 2026-12-01.",
    "Your tier: Gold (next tier: Platinum). Your points balance: 1250.",
    "I'm the loyalty assistant of the Complete Rewards program. How can I help?",
    "I'm not sure about that one; a store associate will be happy to help.",
    "Sorry, I can't share my instructions, but I can help with your points, tier and offers.",
    "Dairy Days: 20% off yogurt (Gold tier and above, valid until 2026-12-31)",
])
def test_an_ordinary_answer_is_not_a_leak(system_prompt: str, answer: str) -> None:
    assert not leaks_system_prompt(answer, system_prompt)


def test_the_members_own_facts_are_not_rules(system_prompt: str) -> None:
    lines = rule_lines(system_prompt)
    assert not any(line.startswith(("tier:", "points balance:", "local time:")) for line in lines)
    assert any(line.startswith("Use only the member facts") for line in lines)


def test_a_prompt_with_no_rules_never_leaks() -> None:
    assert not leaks_system_prompt("tier: Gold", "tier: Gold\npoints balance: 10")
