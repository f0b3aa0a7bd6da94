"""Behaviour both stores promise through `AuditLog`; every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import anyio
import pytest

from gateway.audit import GENESIS_HASH, AuditLog, AuditRecord, chain_hash, record_from_turn
from gateway.exceptions import AuditWriteError, InvalidRequest, StoreError
from gateway.turn import Turn

from .conftest import STARTED, Tamperer

pytestmark = pytest.mark.anyio
MakeTurn = Callable[..., Turn]


def _records(make_turn: MakeTurn, n: int, prefix: str = "dec") -> list[AuditRecord]:
    return [
        record_from_turn(
            make_turn(decision_id=f"{prefix}_{i}", started_at=STARTED + timedelta(minutes=i)),
            model_version="v1",
        )
        for i in range(1, n + 1)
    ]


async def _fill(log: AuditLog, make_turn: MakeTurn, n: int) -> None:
    for record in _records(make_turn, n):
        await log.append(record)


async def test_appends_are_numbered_and_linked_from_genesis(log: AuditLog, make_turn: MakeTurn) -> None:
    first, second = _records(make_turn, 2)

    one = await log.append(first)
    two = await log.append(second)

    assert (one.seq, one.prev_hash) == (1, GENESIS_HASH)
    assert one.hash == chain_hash(GENESIS_HASH, first.to_json())
    assert (two.seq, two.prev_hash) == (2, one.hash)


async def test_get_returns_the_stored_row_and_its_record(log: AuditLog, make_turn: MakeTurn) -> None:
    record = _records(make_turn, 1)[0]
    stored = await log.append(record)

    found = await log.get("dec_1")

    assert found == stored
    assert found is not None and found.record() == record
    assert found.created_at == STARTED + timedelta(minutes=1)
    assert await log.get("dec_unknown") is None


async def test_recent_is_newest_first_limited_and_filtered_by_time(
    log: AuditLog, make_turn: MakeTurn
) -> None:
    await _fill(log, make_turn, 5)

    newest = await log.recent(2)
    since = await log.recent(10, since=STARTED + timedelta(minutes=4))

    assert [r.seq for r in newest] == [5, 4]
    assert [r.decision_id for r in since] == ["dec_5", "dec_4"]


async def test_recent_refuses_a_limit_below_one(log: AuditLog) -> None:
    with pytest.raises(InvalidRequest):
        await log.recent(0)


async def test_intact_log_verifies_ok_with_its_count(log: AuditLog, make_turn: MakeTurn) -> None:
    assert (await log.verify()).ok
    await _fill(log, make_turn, 3)

    report = await log.verify()

    assert (report.ok, report.checked, report.first_broken_seq, report.reason) == (
        True, 3, None, None,
    )  # fmt: skip


async def test_editing_one_payload_names_that_record_as_first_broken(
    log: AuditLog, make_turn: MakeTurn, tamper: Tamperer
) -> None:
    await _fill(log, make_turn, 5)
    tamper.execute("UPDATE {table} SET payload = replace(payload, 'gold', 'platinum') WHERE seq = %s", 3)

    report = await log.verify()

    assert (report.ok, report.first_broken_seq, report.checked) == (False, 3, 2)
    assert report.reason is not None and "payload hash mismatch" in report.reason


async def test_editing_one_hash_names_that_record_as_first_broken(
    log: AuditLog, make_turn: MakeTurn, tamper: Tamperer
) -> None:
    await _fill(log, make_turn, 4)
    tamper.execute("UPDATE {table} SET hash = %s WHERE seq = %s", "a" * 64, 2)

    report = await log.verify()

    assert (report.ok, report.first_broken_seq) == (False, 2)
    assert report.reason is not None and "payload hash mismatch" in report.reason


async def test_rewriting_a_row_consistently_breaks_the_next_link(
    log: AuditLog, make_turn: MakeTurn, tamper: Tamperer
) -> None:
    await _fill(log, make_turn, 4)
    stored = await log.get("dec_2")
    assert stored is not None
    forged = stored.payload.replace("gold", "platinum")
    tamper.execute(
        "UPDATE {table} SET payload = %s, hash = %s WHERE seq = 2",
        forged, chain_hash(stored.prev_hash, forged),
    )  # fmt: skip

    report = await log.verify()

    assert (report.ok, report.first_broken_seq) == (False, 3)
    assert report.reason is not None and "prev_hash link broken" in report.reason


async def test_deleting_a_row_is_reported_as_a_seq_gap(
    log: AuditLog, make_turn: MakeTurn, tamper: Tamperer
) -> None:
    await _fill(log, make_turn, 4)
    tamper.execute("DELETE FROM {table} WHERE seq = %s", 2)

    report = await log.verify()

    assert (report.ok, report.first_broken_seq) == (False, 2)
    assert report.reason is not None and "seq gap" in report.reason


async def test_editing_the_decision_id_column_is_detected(
    log: AuditLog, make_turn: MakeTurn, tamper: Tamperer
) -> None:
    await _fill(log, make_turn, 3)
    tamper.execute("UPDATE {table} SET decision_id = 'dec_other' WHERE seq = %s", 3)

    report = await log.verify()

    assert (report.ok, report.first_broken_seq) == (False, 3)
    assert report.reason == "decision_id column does not match the payload"


async def test_failed_append_leaves_no_half_written_row(log: AuditLog, make_turn: MakeTurn) -> None:
    record = _records(make_turn, 1)[0]
    await log.append(record)

    with pytest.raises(AuditWriteError) as caught:
        await log.append(record)  # same decision id: the insert fails inside the transaction

    assert caught.value.__cause__ is not None
    report = await log.verify()
    assert (report.ok, report.checked) == (True, 1)
    nxt = await log.append(_records(make_turn, 2)[1])
    assert nxt.seq == 2


async def test_concurrent_appends_keep_one_unbroken_chain(
    log: AuditLog, open_log: Callable[[], AuditLog], make_turn: MakeTurn
) -> None:
    # Two handles on one store, as two gateway processes would have.
    other = open_log()
    records = _records(make_turn, 40)
    try:
        async with anyio.create_task_group() as tg:
            for i, record in enumerate(records):
                tg.start_soon((log if i % 2 else other).append, record)
    finally:
        await other.close()

    report = await log.verify()

    assert (report.ok, report.checked) == (True, 40)
    assert {r.decision_id for r in await log.recent(100)} == {r.decision_id for r in records}


async def test_a_closed_log_refuses_writes_and_reads(log: AuditLog, make_turn: MakeTurn) -> None:
    await log.close()

    with pytest.raises(AuditWriteError):
        await log.append(_records(make_turn, 1)[0])
    with pytest.raises(StoreError):
        await log.get("dec_1")
