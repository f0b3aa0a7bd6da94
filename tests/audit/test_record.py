"""record_from_turn: what the audit says about one decision, and its canonical JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from gateway.audit import AuditRecord, FactsUsed, ViolationInfo, canonical_json, record_from_turn
from gateway.turn import Channel, RequestMetadata, Turn

MakeTurn = Callable[..., Turn]


def test_record_keeps_the_original_draft_next_to_the_final_text(make_turn: MakeTurn) -> None:
    record = record_from_turn(make_turn(), model_version="gpt-x-2024-02")

    assert record.draft_text == "Get 50% off all fruit! [[offer:OFR-1]]"
    assert record.final_text.startswith("Spring produce: 15% off") if record.final_text else False
    assert record.gate_action == "repaired"
    assert record.model == "gpt-x"
    assert record.model_version == "gpt-x-2024-02"


def test_record_keeps_every_violation_with_its_policy(make_turn: MakeTurn) -> None:
    record = record_from_turn(make_turn(), model_version=None)

    assert record.violations == (
        ViolationInfo("ungrounded_discount", "offers.yaml#claims", "50% off", "not approved"),
    )
    assert record.offers_rendered == ("OFR-1",)
    assert record.policy_version == "pol-77"


def test_record_names_route_prompt_and_request(make_turn: MakeTurn) -> None:
    record = record_from_turn(make_turn(), model_version=None)

    assert record.route is not None
    assert (record.route.route, record.route.reason) == ("llm", "open question")
    assert (record.route.intent, record.route.confidence) == ("offers", 0.82)
    assert (record.prompt_template, record.prompt_version) == ("offers.j2", "p-abc123")
    assert (record.channel, record.member_id, record.query) == ("app", "M-42", "any deals on fruit?")
    assert record.flags == ("pii_scrubbed",)
    assert record.created_at == "2024-03-01T09:30:00.123456+00:00"


def test_facts_used_come_from_the_member_context(make_turn: MakeTurn) -> None:
    record = record_from_turn(make_turn(), model_version=None)

    assert record.facts == FactsUsed(
        member_tier="gold",
        member_points=1250,
        offer_ids=("OFR-1", "OFR-2"),
        recent_purchase_count=3,
        store_id="S-9",
    )


def test_stages_that_did_not_run_stay_null(make_turn: MakeTurn) -> None:
    bare = Turn(Channel.KIOSK, "M-1", (), RequestMetadata(), "m", decision_id="dec_bare")

    data = json.loads(record_from_turn(bare, model_version=None).to_json())

    for key in ("route", "prompt_template", "policy_version", "model", "model_version",
                "draft_text", "final_text", "gate_action", "facts"):  # fmt: skip
        assert data[key] is None, key
    assert (data["violations"], data["offers_rendered"], data["extra"]) == ([], [], {})


def test_record_is_a_snapshot_that_later_turn_edits_do_not_change(make_turn: MakeTurn) -> None:
    turn = make_turn()
    record = record_from_turn(turn, model_version=None)
    before = record.to_json()

    turn.flags.append("late")
    turn.extra["shadow_route"] = "changed"
    turn.timings_ms["audit"] = 3.0

    assert record.to_json() == before


def test_canonical_json_is_sorted_compact_and_stable(make_turn: MakeTurn) -> None:
    first = record_from_turn(make_turn(), model_version="v1").to_json()
    again = record_from_turn(make_turn(), model_version="v1").to_json()

    assert first == again
    assert first.startswith('{"channel":"app","created_at":"2024-03-01T09:30:00.123456+00:00",')
    assert first == canonical_json(json.loads(first))


def test_canonical_json_does_not_depend_on_key_insertion_order() -> None:
    assert canonical_json({"b": 1, "a": [2, {"d": 3, "c": 4}]}) == '{"a":[2,{"c":4,"d":3}],"b":1}'


def test_non_finite_numbers_are_recorded_as_null_not_nan(make_turn: MakeTurn) -> None:
    turn = make_turn(timings_ms={"routing": float("nan")}, extra={"score": float("inf")})

    payload = record_from_turn(turn, model_version=None).to_json()

    assert "NaN" not in payload and "Infinity" not in payload
    assert json.loads(payload)["timings_ms"] == {"routing": None}


def test_extra_values_are_made_json_ready(make_turn: MakeTurn) -> None:
    moment = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    turn = make_turn(extra={"enum": Channel.ASSOCIATE, "at": moment, "tags": {"b", "a"}, 3: "x"})

    extra = record_from_turn(turn, model_version=None).extra

    assert extra == {
        "enum": "associate",
        "at": "2024-01-01T10:00:00.000000+00:00",
        "tags": ["a", "b"],
        "3": "x",
    }


def test_payload_reads_back_as_an_equal_record(make_turn: MakeTurn) -> None:
    record = record_from_turn(make_turn(), model_version="v1")

    assert AuditRecord.from_payload(record.to_json()) == record


def test_unpaired_surrogates_and_nul_stay_in_an_ascii_payload(make_turn: MakeTurn) -> None:
    turn = make_turn(query="bad \ud800 input\x00 and ünïcode")

    payload = record_from_turn(turn, model_version=None).to_json()

    assert payload.isascii()
    assert json.loads(payload)["query"] == "bad \ud800 input\x00 and ünïcode"


def test_a_record_without_a_utc_offset_is_refused(make_turn: MakeTurn) -> None:
    record = record_from_turn(make_turn(), model_version=None)
    data = {**record.__dict__, "created_at": "2024-03-01T09:30:00"}

    with pytest.raises(ValueError, match="UTC offset"):
        AuditRecord(**data)
