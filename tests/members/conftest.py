"""Fixtures: a real 30-household demo database, seeded once, and a store over it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from gateway.members import SqliteMemberStore
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.policy.yamlfile import load_model
from gateway.seed import seed_demo
from gateway.settings import PROJECT_ROOT

TODAY = date(2026, 11, 23)



@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    policies = PROJECT_ROOT / "policies"
    path = tmp_path_factory.mktemp("members") / "loyalty.db"
    seed_demo(
        path,
        program=load_model(policies / "program.yaml", ProgramPolicy)[0],
        margins=load_model(policies / "margins.yaml", MarginPolicy)[0],
        households=30,
        today=TODAY,
        progress=False,
    )
    return path


@pytest.fixture
async def store(demo_db: Path) -> AsyncIterator[SqliteMemberStore]:
    async with SqliteMemberStore(demo_db) as opened:
        yield opened
