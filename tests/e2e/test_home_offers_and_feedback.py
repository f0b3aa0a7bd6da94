"""The app's home screen gets ranked, explained, audited offers; feedback teaches the scorer."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningGateway

APP = {"Authorization": "Bearer dev-app-key"}


@pytest.fixture(scope="module")
def member_with_offers(seeded_db: Path, gateway_without_llm: RunningGateway) -> str:
    with sqlite3.connect(seeded_db) as db:
        ids = [str(r[0]) for r in db.execute("SELECT DISTINCT member_id FROM offer_targets")]
    for member_id in ids:
        if offers(gateway_without_llm, member_id)["offers"]:
            return member_id
    raise AssertionError("no seeded member has an eligible offer")


def offers(gw: RunningGateway, member_id: str) -> dict[str, Any]:
    response = httpx.get(f"{gw.api}/members/{member_id}/offers", headers=APP, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def feedback(gw: RunningGateway, body: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{gw.api}/feedback", json=body, headers=APP, timeout=30)


def test_offers_are_ranked_with_the_probability_and_the_why(
    gateway_without_llm: RunningGateway, member_with_offers: str
) -> None:
    result = offers(gateway_without_llm, member_with_offers)
    first = result["offers"][0]
    assert 0 < first["probability"] <= 1
    assert {"acceptance", "value_net", "margin_cost", "choice"} <= set(first["explanation"])
    assert "% off" in first["terms"]  # the approved wording, rendered by the gateway
    assert set(result["context"]) == {"store_id", "points", "as_of"}  # what the ranking was decided on
    audit = Path(gateway_without_llm.settings.audit_db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(audit) as db:
        row = db.execute("SELECT payload FROM audit_log WHERE decision_id = ?",
                         (result["decision_id"],)).fetchone()
    assert row is not None and "next_best_offer" in row[0]


def test_feedback_on_the_chosen_offer_is_learned(
    gateway_without_llm: RunningGateway, member_with_offers: str
) -> None:
    result = offers(gateway_without_llm, member_with_offers)
    chosen = result["offers"][0]["offer_id"]
    response = feedback(gateway_without_llm, {"decision_id": result["decision_id"], "offer_id": chosen,
                                              "outcome": "redeemed"})
    assert response.status_code == 200, response.text
    assert response.json()["learned"] is True
    assert response.json()["model_updates"] >= 1


def test_feedback_for_an_unknown_decision_is_404(gateway_without_llm: RunningGateway) -> None:
    response = feedback(gateway_without_llm, {"decision_id": "dec_nope", "offer_id": "OFR-1",
                                              "outcome": "clicked"})
    assert response.status_code == 404


def test_feedback_naming_an_offer_outside_the_decision_is_400(
    gateway_without_llm: RunningGateway, member_with_offers: str
) -> None:
    result = offers(gateway_without_llm, member_with_offers)
    response = feedback(gateway_without_llm, {"decision_id": result["decision_id"], "offer_id": "OFR-x",
                                              "outcome": "clicked"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "offer_not_in_decision"


def test_an_unknown_outcome_is_422(gateway_without_llm: RunningGateway) -> None:
    response = feedback(gateway_without_llm, {"decision_id": "d", "offer_id": "o", "outcome": "loved"})
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "outcome"


def audit_payload(gw: RunningGateway, decision_id: str) -> dict[str, Any]:
    audit = Path(gw.settings.audit_db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(audit) as db:
        row = db.execute("SELECT payload FROM audit_log WHERE decision_id = ?", (decision_id,)).fetchone()
    assert row is not None, decision_id
    payload: dict[str, Any] = json.loads(row[0])
    return payload


def chat(gw: RunningGateway, member_id: str, text: str) -> dict[str, Any]:
    body = {"model": "loyalty", "user": member_id, "messages": [{"role": "user", "content": text}]}
    response = httpx.post(f"{gw.api}/chat/completions", json=body, headers=APP, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_chat_turn_ranks_its_offers_and_its_decision_id_accepts_feedback(
    gateway_without_llm: RunningGateway, seeded_db: Path
) -> None:
    with sqlite3.connect(seeded_db) as db:
        ids = [str(r[0]) for r in db.execute("SELECT DISTINCT member_id FROM offer_targets ORDER BY 1 DESC")]
    for member_id in ids:  # the first member whose turn had offers in its context
        answer = chat(gateway_without_llm, member_id, "which offers do I have?")
        decision_id = answer["gateway"]["decision_id"]
        ranking = audit_payload(gateway_without_llm, decision_id)["extra"].get("next_best_offer")
        if ranking:
            break
    else:
        raise AssertionError("no seeded member's chat turn had an offer in its context")
    assert ranking["decision_id"] == decision_id
    first = ranking["offers"][0]
    assert 0 < first["probability"] <= 1 and first["explanation"]["choice"] in ("exploit", "explore")
    response = feedback(gateway_without_llm, {"decision_id": decision_id, "offer_id": first["offer_id"],
                                              "outcome": "clicked"})
    assert response.status_code == 200, response.text
    assert response.json()["learned"] is True
