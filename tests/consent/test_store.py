"""Consent rows in the member database: written whole, read back, erased."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.consent import ConsentResolver, Purpose, SqliteConsentStore
from gateway.exceptions import StoreError
from gateway.turn import RequestMetadata

pytestmark = pytest.mark.anyio
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "members.db"
    sqlite3.connect(path).close()
    return path


@pytest.fixture
async def store(db: Path) -> AsyncIterator[SqliteConsentStore]:
    opened = SqliteConsentStore(db, clock=lambda: WHEN)
    yield opened
    await opened.close()


async def test_a_member_with_no_rows_has_decided_nothing(store: SqliteConsentStore) -> None:
    assert await store.get("1453") == {}


async def test_choices_are_read_back_with_when_and_by_which_channel(store: SqliteConsentStore) -> None:
    await store.set("1453", {Purpose.LOCATION: False, Purpose.PROFILING: True}, source="app")
    got = await store.get("1453")
    assert {p: e.allowed for p, e in got.items()} == {Purpose.LOCATION: False, Purpose.PROFILING: True}
    assert got[Purpose.LOCATION].updated_at == WHEN and got[Purpose.LOCATION].source == "app"


async def test_a_later_choice_replaces_the_earlier_one_and_leaves_others(store: SqliteConsentStore) -> None:
    await store.set("1453", {Purpose.LOCATION: False, Purpose.PROFILING: False}, source="app")
    await store.set("1453", {Purpose.LOCATION: True}, source="associate")
    got = await store.get("1453")
    assert got[Purpose.LOCATION].allowed and got[Purpose.LOCATION].source == "associate"
    assert not got[Purpose.PROFILING].allowed


async def test_the_table_lives_in_the_member_database_file(store: SqliteConsentStore, db: Path) -> None:
    await store.set("1453", {Purpose.PERSONALIZATION: False}, source="app")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT member_id, purpose, allowed FROM consent").fetchall() == [
            ("1453", "personalization", 0)]


async def test_forgetting_a_member_deletes_their_rows_only(store: SqliteConsentStore) -> None:
    await store.set("1453", {Purpose.PERSONALIZATION: False, Purpose.LOCATION: False}, source="app")
    await store.set("2064", {Purpose.LOCATION: False}, source="app")
    assert await store.forget_member("1453") == 2
    assert await store.get("1453") == {} and len(await store.get("2064")) == 1


async def test_the_resolver_reads_the_store(store: SqliteConsentStore) -> None:
    await store.set("1453", {Purpose.LOCATION: False}, source="app")
    decision = await ConsentResolver(store).decide("1453", RequestMetadata(gpc=True))
    assert decision.allowed == {Purpose.PERSONALIZATION}


async def test_a_missing_database_is_a_store_error_that_says_what_to_do(tmp_path: Path) -> None:
    store = SqliteConsentStore(tmp_path / "absent.db")
    with pytest.raises(StoreError, match="seed"):
        await store.get("1453")


async def test_a_closed_store_refuses_work(db: Path) -> None:
    store = SqliteConsentStore(db)
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.get("1453")
