from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gateway.context.prompts import PromptRegistry
from gateway.exceptions import ConfigError, ModelError
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import LOOKUP_INTENTS, IntentModel, SmallModelResponder
from gateway.turn import Channel, Route

from .conftest import OFFERS, ContextFactory

MARKER = re.compile(r"\[\[offer:([A-Za-z0-9_-]+)\]\]")
OFFER_LIKE = re.compile(r"\d|%|\$|\bfree\b|\boff\b|\bsave\b|\bdiscount", re.IGNORECASE)


@pytest.fixture
def responder(prompts: PromptRegistry) -> SmallModelResponder:
    return SmallModelResponder(prompts, "v20261123T120000Z-abcdef12")


def test_points_answer_shows_the_real_balance_with_separators(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("points_balance", make_context()).text
    assert "1,234" in text
    assert "%" not in text


@pytest.mark.parametrize("intent", LOOKUP_INTENTS)
def test_no_answer_carries_a_percentage(
    responder: SmallModelResponder, make_context: ContextFactory, intent: str
) -> None:
    for channel in (Channel.APP, Channel.KIOSK, Channel.ASSOCIATE):
        assert "%" not in responder.answer(intent, make_context(), channel=channel).text


def test_a_draft_names_the_route_model_and_template_version(
    responder: SmallModelResponder, make_context: ContextFactory, prompts: PromptRegistry
) -> None:
    draft = responder.answer("tier_status", make_context())
    assert draft.route is Route.SMALL_MODEL
    assert draft.model == "intent:v20261123T120000Z-abcdef12"
    assert draft.prompt_version == prompts.version("answers/tier_status")


def test_tier_answer_gives_the_next_tier_and_the_spend_to_reach_it(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("tier_status", make_context()).text
    assert "Silver" in text and "Gold" in text and "$559.50" in text


def test_top_tier_answer_mentions_no_next_tier_or_amount(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    context = make_context(member={"tier": "Platinum", "next_tier": None, "spend_to_next_tier": 0.0})
    text = responder.answer("tier_status", context).text
    assert "Platinum" in text and "top tier" in text
    assert "$" not in text


def test_offers_answer_is_exactly_the_markers_of_the_context_offers(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("my_offers", make_context()).text
    assert MARKER.findall(text) == [o.offer_id for o in OFFERS]
    assert not OFFER_LIKE.search(MARKER.sub("", text)), text


def test_no_offers_means_no_markers_and_no_promises(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("my_offers", make_context(offers=())).text
    assert "[[offer:" not in text
    assert not OFFER_LIKE.search(text), text


def test_expiry_answer_gives_the_amount_and_the_date(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("points_expiry", make_context()).text
    assert "340" in text and "December 23, 2026" in text


def test_nothing_expiring_says_so_without_numbers(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("points_expiry", make_context(member={"points_expiring": 0})).text
    assert "none of your points" in text.lower()
    assert not re.search(r"\d", text)


def test_purchases_are_the_five_most_recent_newest_first(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    lines = responder.answer("last_purchases", make_context()).text.splitlines()
    items = [line for line in lines if line.startswith("- ")]
    assert items == [
        "- Nov 21: Bananas",
        "- Nov 20: Fluid milk white only (×2)",
        "- Nov 12: Cheddar",
        "- Nov 10: Eggs (×12)",
        "- Nov 3: Bread",
    ]


def test_store_hours_come_from_the_channel_store(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("store_hours", make_context()).text
    assert text == "Main Street store is open 7am to 10pm every day."


def test_unknown_store_gets_asked_which_store(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("store_hours", make_context(store=None)).text
    assert "which store" in text.lower()
    assert not re.search(r"\d", text)


def test_associates_hear_about_the_member_in_the_third_person(
    responder: SmallModelResponder, make_context: ContextFactory
) -> None:
    text = responder.answer("points_balance", make_context(), channel=Channel.ASSOCIATE).text
    assert text.startswith("This member has 1,234 points")
    assert "You " not in text


@pytest.mark.parametrize("intent", ["open", "weather", ""])
def test_an_intent_without_a_template_is_a_model_error(
    responder: SmallModelResponder, make_context: ContextFactory, intent: str
) -> None:
    with pytest.raises(ModelError, match="no answer template"):
        responder.answer(intent, make_context())


def test_a_missing_lookup_template_fails_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "answers").mkdir()
    shutil.copy(PROJECT_ROOT / "prompts" / "answers" / "points_balance.j2", tmp_path / "answers")
    with pytest.raises(ConfigError, match="no answer template for tier_status"):
        SmallModelResponder(PromptRegistry(tmp_path), "v1")


def test_a_routed_question_is_answered_from_live_data(
    intent_model: IntentModel, prompts: PromptRegistry, make_context: ContextFactory
) -> None:
    prediction = intent_model.predict("hey how many points have I got")
    responder = SmallModelResponder(prompts, intent_model.version)
    draft = responder.answer(prediction.intent, make_context())
    assert "1,234" in draft.text
    assert draft.model == f"intent:{intent_model.version}"
