"""Fixtures: real Turns built from gateway.turn types, real SQLite files, real PostgreSQL.

PostgreSQL tests use a fresh table per test (dropped afterwards) on the server
named by AUDIT_TEST_PG_URL (default: the local test database). If that server
is not reachable the tests fail: the audit store's production backend is not optional.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from gateway.audit import AuditLog, PostgresAuditLog, SqliteAuditLog
from gateway.turn import (
    Channel,
    ChatMessage,
    Draft,
    Member,
    MemberContext,
    Offer,
    Purchase,
    RenderedPrompt,
    RequestMetadata,
    Route,
    RouteDecision,
    StoreInfo,
    Turn,
    Verdict,
    Violation,
)

PG_URL = os.environ.get("AUDIT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
STARTED = datetime(2024, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)



def _context() -> MemberContext:
    member = Member(
        member_id="M-42", tier="gold", points=1250, points_expiring=200,
        points_expire_on=date(2024, 6, 30), annual_spend=3120.5, next_tier="platinum",
        spend_to_next_tier=880.0, home_store_id="S-7",
    )  # fmt: skip
    offer = Offer("OFR-1", "Spring produce", "PRODUCE", "FRUIT", 15, "silver", date(2024, 4, 1))
    purchase = Purchase(date(2024, 2, 28), "Apples", "PRODUCE", "FRUIT", 2, 4.5, "S-7")
    return MemberContext(
        member=member,
        recent_purchases=(purchase, purchase, purchase),
        offers=(offer, replace(offer, offer_id="OFR-2")),
        store=StoreInfo("S-9", "Downtown", "8-22"),
        metadata=RequestMetadata(store_id="S-9"),
        now=STARTED,
    )


def build_turn(**overrides: Any) -> Turn:
    """A turn that went through every stage, and whose draft the gate repaired."""
    fields: dict[str, Any] = {
        "channel": Channel.APP,
        "member_id": "M-42",
        "messages": (ChatMessage("user", "any deals on fruit?"),),
        "metadata": RequestMetadata(store_id="S-9"),
        "requested_model": "loyalty-default",
        "decision_id": "dec_fixed",
        "started_at": STARTED,
        "query": "any deals on fruit?",
        "flags": ["pii_scrubbed"],
        "context": _context(),
        "prompt": RenderedPrompt("offers.j2", "p-abc123", (ChatMessage("system", "be nice"),)),
        "route": RouteDecision(Route.LLM, "open question", "offers", 0.82, None),
        "draft": Draft("Get 50% off all fruit! [[offer:OFR-1]]", Route.LLM, "gpt-x", "p-abc123"),
        "verdict": Verdict(
            action="repaired",
            final_text="Spring produce: 15% off fruit (silver tier and above, valid until ...)",
            violations=(Violation("ungrounded_discount", "offers.yaml#claims", "50% off", "not approved"),),
            offers_rendered=("OFR-1",),
            policy_version="pol-77",
        ),
        "timings_ms": {"routing": 1.5, "generation": 420.0},
        "extra": {"shadow_route": Route.SMALL_MODEL, "scores": (0.1, 0.9)},
    }
    fields.update(overrides)
    return Turn(**fields)


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "audit.db"


@pytest.fixture
def pg_table() -> Iterator[str]:
    """A unique table for one test, dropped afterwards."""
    table = f"audit_test_{uuid.uuid4().hex[:16]}"
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError as e:
        pytest.fail(f"PostgreSQL not reachable at {PG_URL} (deploy/test.sh starts the local one): {e}")
    yield table
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Tamperer:
    """Edits the stored rows behind the log's back, as an attacker with DB access would."""

    def __init__(self, backend: str, target: str) -> None:
        self.backend, self.target = backend, target

    def execute(self, statement: str, *params: object) -> None:
        """`statement` names the table as {table} and uses %s placeholders."""
        if self.backend == "sqlite":
            lite = sqlite3.connect(self.target)
            with lite:  # commits
                lite.execute(statement.format(table="audit_log").replace("%s", "?"), params)
            lite.close()
            return
        query = sql.SQL(statement).format(table=sql.Identifier(self.target))
        with psycopg.connect(PG_URL, autocommit=True) as pg:
            pg.execute(query, params)


@pytest.fixture
def target(backend: str, request: pytest.FixtureRequest) -> str:
    """The SQLite file or the PostgreSQL table behind `log`."""
    if backend == "sqlite":
        return str(request.getfixturevalue("sqlite_path"))
    return str(request.getfixturevalue("pg_table"))


@pytest.fixture
def tamper(backend: str, target: str) -> Tamperer:
    return Tamperer(backend, target)


@pytest.fixture
def open_log(backend: str, target: str) -> Callable[[], AuditLog]:
    """Another handle on the same log (as a second gateway process would have)."""
    if backend == "sqlite":
        return lambda: SqliteAuditLog(target)
    return lambda: PostgresAuditLog(PG_URL, table=target)


@pytest.fixture
async def log(anyio_backend: str, open_log: Callable[[], AuditLog]) -> AsyncIterator[AuditLog]:
    audit_log = open_log()
    yield audit_log
    await audit_log.close()


@pytest.fixture
def make_turn() -> Callable[..., Turn]:
    """`make_turn(**fields)`: the fully staged turn above, with some fields replaced."""
    return build_turn
