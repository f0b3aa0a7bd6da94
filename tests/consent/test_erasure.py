"""The erasure service: every part in order, the member's own rows last, both ends audited."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gateway.audit import SqliteAuditLog, record_from_turn
from gateway.consent.erasure import Erasable, Erasure, MemberRows
from gateway.exceptions import NotFound, StoreError
from gateway.members import SqliteMemberStore
from gateway.turn import Channel, Turn

pytestmark = pytest.mark.anyio


@dataclass
class Kept:
    """A store that keeps a count per member (an `Erasable` of the test's own)."""

    name: str
    log: list[str]
    items: dict[str, int] = field(default_factory=dict)
    fails: bool = False

    async def forget_member(self, member_id: str) -> int:
        self.log.append(self.name)
        if self.fails:
            raise StoreError(f"{self.name} is down")
        return self.items.pop(member_id, 0)


@pytest.fixture
def member_db(seeded_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "loyalty.db"
    shutil.copyfile(seeded_db, path)
    return path


def first_member(member_db: Path) -> str:
    with sqlite3.connect(member_db) as db:
        return str(db.execute("SELECT member_id FROM members ORDER BY member_id LIMIT 1").fetchone()[0])


async def run(
    member_db: Path, tmp_path: Path, parts: dict[str, Erasable], member_id: str
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    audit = SqliteAuditLog(tmp_path / "audit.db")
    members = SqliteMemberStore(member_db)

    async def write(turn: Turn) -> None:
        await audit.append(record_from_turn(turn, model_version=None))

    try:
        erasure = Erasure(parts, members=members, write_audit=write)
        counts = await erasure.erase(member_id, requested_by=Channel.COMPLIANCE)
    finally:
        records = [s.record().to_dict() for s in reversed(await audit.recent(10))]
        await members.close()
        await audit.close()
    return counts, records


async def test_parts_run_in_order_and_the_counts_and_audit_say_what_went(
    member_db: Path, tmp_path: Path
) -> None:
    member = first_member(member_db)
    order: list[str] = []
    parts = {"cache": Kept("cache", order, {member: 3}), "profile": Kept("profile", order),
             "member_db": MemberRows(member_db)}
    counts, records = await run(member_db, tmp_path, parts, member)
    assert order == ["cache", "profile"] and list(counts) == ["cache", "profile", "member_db"]
    assert counts["cache"] == 3 and counts["profile"] == 0 and counts["member_db"] > 1
    assert [r["extra"]["erasure"]["status"] for r in records] == ["requested", "completed"]
    assert records[1]["extra"]["erasure"]["counts"] == counts
    assert all(r["member_id"] == member and r["channel"] == "compliance" for r in records)


async def test_an_unknown_member_is_not_found_and_nothing_is_touched_or_recorded(
    member_db: Path, tmp_path: Path
) -> None:
    order: list[str] = []
    with pytest.raises(NotFound):
        await run(member_db, tmp_path, {"cache": Kept("cache", order)}, "no-such-member")
    assert order == []


async def test_a_failing_part_leaves_the_member_so_the_request_can_be_sent_again(
    member_db: Path, tmp_path: Path
) -> None:
    order: list[str] = []
    parts = {"cache": Kept("cache", order, fails=True), "member_db": MemberRows(member_db)}
    with pytest.raises(StoreError):
        await run(member_db, tmp_path, parts, first_member(member_db))
    again = {"cache": Kept("cache", order), "member_db": MemberRows(member_db)}
    counts, _ = await run(member_db, tmp_path, again, first_member(member_db))
    assert counts["member_db"] > 1


def test_another_store_can_be_added_before_the_members_own_rows(member_db: Path) -> None:
    base = Erasure({"cache": Kept("cache", []), "member_db": MemberRows(member_db)},
                   members=SqliteMemberStore(member_db), write_audit=_never)
    assert base.with_part("semantic_cache", Kept("s", []), before="member_db").parts == (
        "cache", "semantic_cache", "member_db")
    assert base.with_part("last", Kept("l", [])).parts == ("cache", "member_db", "last")


async def _never(turn: Turn) -> None:
    raise AssertionError("not called")
