"""PostgreSQL specifics: the interpolated table name, an unreachable server, other processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from gateway.audit import PostgresAuditLog, record_from_turn
from gateway.exceptions import AuditWriteError, ConfigError, StoreError

from .conftest import PG_URL, build_turn

pytestmark = pytest.mark.anyio
PROJECT_ROOT = Path(__file__).resolve().parents[2]

_WRITER = """
import asyncio, sys
from gateway.audit import PostgresAuditLog, record_from_turn
from gateway.turn import Channel, RequestMetadata, Turn

async def main(url, table, name, n):
    log = PostgresAuditLog(url, table=table)
    for i in range(n):
        turn = Turn(Channel.APP, "M-1", (), RequestMetadata(), "m", decision_id=f"{name}_{i}")
        await log.append(record_from_turn(turn, model_version=None))
    await log.close()

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""


@pytest.mark.parametrize("table", ["audit; DROP TABLE x", "Audit", "1audit", "audit.log", "a" * 49, ""])
def test_table_names_that_are_not_plain_identifiers_are_refused(table: str) -> None:
    with pytest.raises(ConfigError, match="invalid audit table name"):
        PostgresAuditLog(PG_URL, table=table)


async def test_an_unreachable_server_is_a_store_error() -> None:
    log = PostgresAuditLog("postgresql://postgres@127.0.0.1:1/test")

    with pytest.raises(AuditWriteError) as caught:
        await log.append(record_from_turn(build_turn(), model_version=None))
    with pytest.raises(StoreError):
        await log.recent(5)
    await log.close()

    assert isinstance(caught.value.__cause__, psycopg.OperationalError)


async def test_payload_is_stored_as_text_exactly_as_hashed(pg_table: str) -> None:
    log = PostgresAuditLog(PG_URL, table=pg_table)
    record = record_from_turn(build_turn(), model_version=None)
    await log.append(record)
    await log.close()

    with psycopg.connect(PG_URL) as conn:
        query = sql.SQL("SELECT payload FROM {}").format(sql.Identifier(pg_table))
        row = conn.execute(query).fetchone()

    assert row == (record.to_json(),)


async def test_separate_processes_appending_to_one_table_keep_one_chain(pg_table: str) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, PG_URL, pg_table, f"proc{k}", "25"],
            cwd=PROJECT_ROOT,
        )
        for k in range(3)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]

    log = PostgresAuditLog(PG_URL, table=pg_table)
    report = await log.verify()
    await log.close()

    assert (report.ok, report.checked) == (True, 75)
