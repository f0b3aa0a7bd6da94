"""Each event is judged on its own, with a reason that names the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.events._schema import Rejection, TimeWindow, judge_batch

from .support import event

WINDOW = TimeWindow(max_age=timedelta(days=7), max_ahead=timedelta(minutes=5))


def judge(*raw: object) -> tuple[list[int], list[Rejection]]:
    good, rejected = judge_batch(list(raw), window=WINDOW, now=datetime.now(UTC))
    return [index for index, _ in good], rejected


def test_timezone_naive_timestamps_are_refused() -> None:
    naive = event("app_open", "e1") | {"occurred_at": "2026-11-20T10:00:00"}
    aware = event("app_open", "e2")
    kept, [rejection] = judge(naive, aware)
    assert kept == [1]
    assert rejection.index == 0 and rejection.event_id == "e1"
    assert rejection.reason == "occurred_at: Input should have timezone info"


def test_an_unknown_key_is_refused_by_name() -> None:
    _, [rejection] = judge(event("store_entered", "e1", store_id="367", stor="typo"))
    assert rejection.reason == "stor: Extra inputs are not permitted"


def test_an_unknown_or_missing_type_is_refused_naming_the_known_ones() -> None:
    unknown = event("checkout", "e1")
    missing = {k: v for k, v in event("app_open", "e2").items() if k != "type"}
    _, rejected = judge(unknown, missing)
    assert [r.reason.split(";")[0] for r in rejected] == [
        "type: unknown event type",
        "type: missing",
    ]
    assert all("store_entered" in r.reason for r in rejected)


def test_the_fields_of_the_events_type_are_required() -> None:
    _, [rejection] = judge(event("redemption", "e1", store_id="367"))
    assert rejection.reason == "offer_id: Field required"


def test_a_purchase_item_names_a_product_or_a_category() -> None:
    items = [{"product_id": "P1", "quantity": 1, "amount": 2}, {"quantity": 1, "amount": 3}]
    _, [rejection] = judge(event("purchase", "e1", store_id="367", items=items, total=5))
    assert rejection.reason.startswith("items.1: ")
    assert "product_id or a category" in rejection.reason


def test_a_location_ping_needs_both_coordinates_or_a_zone() -> None:
    kept, rejected = judge(
        event("location_ping", "e1", lat=41.9, lon=-87.6),
        event("location_ping", "e2", zone="north-mall"),
        event("location_ping", "e3", lat=41.9),
        event("location_ping", "e4"),
        event("location_ping", "e5", lat=91, lon=0),
    )
    assert kept == [0, 1]
    assert [r.index for r in rejected] == [2, 3, 4]
    assert "lat and lon come together" in rejected[0].reason
    assert rejected[2].reason.startswith("lat: ")


def test_an_event_from_beyond_the_duplicate_window_or_the_future_is_refused() -> None:
    too_old = event("app_open", "e1", ago_s=8 * 86_400)
    ahead = event("app_open", "e2", ago_s=-3_600)
    _, rejected = judge(too_old, ahead)
    assert [r.reason for r in rejected] == [
        "occurred_at: older than the 7 days duplicate-detection window",
        "occurred_at: more than 5 minutes ahead of the server's clock",
    ]


def test_something_that_is_not_an_object_is_refused_by_index() -> None:
    kept, [rejection] = judge(event("app_open", "e1"), "app_open")
    assert kept == [0]
    assert rejection.index == 1 and rejection.event_id is None
