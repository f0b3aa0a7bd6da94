"""SQLite specifics: the file, its journal mode, and writers in separate processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.audit import SqliteAuditLog, record_from_turn
from gateway.exceptions import AuditWriteError, StoreError

from .conftest import build_turn

pytestmark = pytest.mark.anyio
PROJECT_ROOT = Path(__file__).resolve().parents[2]

_WRITER = """
import asyncio, sys
from gateway.audit import SqliteAuditLog, record_from_turn
from gateway.turn import Channel, RequestMetadata, Turn

async def main(path, name, n):
    log = SqliteAuditLog(path)
    for i in range(n):
        turn = Turn(Channel.APP, "M-1", (), RequestMetadata(), "m", decision_id=f"{name}_{i}")
        await log.append(record_from_turn(turn, model_version=None))
    await log.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_first_use_creates_the_parent_directory_and_a_wal_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "audit.db"
    log = SqliteAuditLog(path)
    assert not path.parent.exists()  # nothing happens at construction

    await log.append(record_from_turn(build_turn(), model_version=None))
    await log.close()

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


async def test_separate_processes_appending_to_one_file_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"proc{k}", "25"], cwd=PROJECT_ROOT)
        for k in range(3)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]

    log = SqliteAuditLog(path)
    report = await log.verify()
    await log.close()

    assert (report.ok, report.checked) == (True, 75)


async def test_an_unwritable_location_is_an_audit_write_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    log = SqliteAuditLog(blocker / "audit.db")

    with pytest.raises(AuditWriteError) as caught:
        await log.append(record_from_turn(build_turn(), model_version=None))
    with pytest.raises(StoreError):
        await log.verify()
    await log.close()

    assert isinstance(caught.value.__cause__, OSError)
