"""POST /v1/events on the served gateway: good events kept, bad ones rejected by index."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from tests.e2e.conftest import DemoMember, RunningGateway


def test_a_batch_keeps_its_good_events_and_names_the_bad_one(
    gateway_without_llm: RunningGateway, members: list[DemoMember]
) -> None:
    now = datetime.now(UTC).isoformat()
    good = {"event_id": uuid.uuid4().hex, "type": "store_entered", "member_id": members[0].member_id,
            "occurred_at": now, "store_id": "367"}
    bad = {"event_id": uuid.uuid4().hex, "type": "teleported", "member_id": members[0].member_id,
           "occurred_at": now}
    response = httpx.post(f"{gateway_without_llm.api}/events", json={"events": [good, bad]},
                          headers={"Authorization": "Bearer dev-associate-key"}, timeout=30)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["accepted"] == 1
    assert [r["index"] for r in result["rejected"]] == [1]


def test_the_kiosk_key_cannot_post_events(gateway_without_llm: RunningGateway) -> None:
    response = httpx.post(f"{gateway_without_llm.api}/events", json={"events": []},
                          headers={"Authorization": "Bearer dev-kiosk-key"}, timeout=30)
    assert response.status_code == 403
