"""Each store forgets a member, and only that member (real Redis db 13, unique key names; SQLite)."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as redis

from gateway.consent.erasure import DecisionLogEraser, EventStreamEraser, HotProfileEraser, MemberRows
from gateway.decisioning import DecisionRecord, RedisDecisionLog, ScoringContext
from gateway.events import EventIngestor, HotProfiles
from gateway.events._keys import seen_key
from gateway.events._schema import EVENT_ADAPTER
from tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(clean_test_redis: str) -> AsyncIterator[redis.Redis]:
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    yield connection
    await connection.aclose()


def member() -> str:
    return f"m-{uuid.uuid4().hex[:10]}"


def entered(member_id: str) -> dict[str, object]:
    return {"event_id": uuid.uuid4().hex, "type": "store_entered", "member_id": member_id,
            "store_id": "367", "occurred_at": datetime.now(UTC).isoformat()}


async def test_the_event_stream_loses_the_members_entries_and_their_duplicate_marks(
    client: redis.Redis,
) -> None:
    stream = f"lg:events:test:{uuid.uuid4().hex}"
    gone, kept = member(), member()
    events = [entered(gone), entered(kept), entered(gone)]
    await EventIngestor(client, stream=stream).ingest(events)
    dead = {"event": f'{{"member_id": "{gone}", "event_id": "x"}}', "reason": "r"}
    await client.xadd(stream + ":dead", dead)
    try:
        assert await EventStreamEraser(client, stream=stream, page=2).forget_member(gone) == 3
        left = await client.xrange(stream)
        assert [e[1][b"event"].decode().count(kept) for e in left] == [1]
        assert await client.xlen(stream + ":dead") == 0
        assert not await client.exists(seen_key(stream, str(events[0]["event_id"])))
        assert await client.exists(seen_key(stream, str(events[1]["event_id"])))
    finally:
        await client.delete(stream, stream + ":dead", *(seen_key(stream, str(e["event_id"])) for e in events))


async def test_the_decision_log_loses_the_members_decisions_only(client: redis.Redis) -> None:
    prefix = f"lg:nbo:test:{uuid.uuid4().hex}:"
    log = RedisDecisionLog(client, prefix=prefix)
    gone, kept = member(), member()
    for i, who in enumerate([gone, kept, gone]):
        context = ScoringContext(f"dec_{i}", who, "Gold", "app", 9, None, 0)
        await log.put(DecisionRecord(context, (), None, 0.0, "v1"))
    assert await DecisionLogEraser(client, prefix=prefix, batch=2).forget_member(gone) == 2
    assert await log.get("dec_0") is None and await log.get("dec_1") is not None
    await client.delete(prefix + "dec_1")


async def test_the_hot_profile_is_erased_and_events_from_before_stay_refused(client: redis.Redis) -> None:
    profiles = HotProfiles(client, points_per_dollar=1)
    gone = member()
    event = entered(gone)
    await profiles.apply(EVENT_ADAPTER.validate_python(event))
    assert await HotProfileEraser(profiles, client).forget_member(gone) == 2
    assert (await profiles.get(gone)).is_empty
    assert not await profiles.apply(EVENT_ADAPTER.validate_python({**event, "event_id": "again"}))
    assert await HotProfileEraser(profiles, client).forget_member(gone) == 0


async def test_the_member_database_loses_the_member_purchases_and_offer_targets(
    seeded_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "loyalty.db"
    shutil.copyfile(seeded_db, db)
    with sqlite3.connect(db) as conn:
        gone, kept = (r[0] for r in conn.execute("SELECT member_id FROM members LIMIT 2"))
        rows = sum(conn.execute(f"SELECT count(*) FROM {t} WHERE member_id = ?", (gone,)).fetchone()[0]
                   for t in ("members", "purchases", "offer_targets"))
        others = conn.execute("SELECT count(*) FROM purchases WHERE member_id = ?", (kept,)).fetchone()[0]
    assert await MemberRows(db).forget_member(gone) == rows > 1
    with sqlite3.connect(db) as conn:
        def count(table: str, who: str) -> int:
            sql = f"SELECT count(*) FROM {table} WHERE member_id = ?"
            return int(conn.execute(sql, (who,)).fetchone()[0])

        assert [count(t, gone) for t in ("members", "purchases", "offer_targets")] == [0, 0, 0]
        assert count("purchases", kept) == others
    assert await MemberRows(db).forget_member(gone) == 0
