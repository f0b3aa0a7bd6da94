"""The benign and violating answer sets (fixtures/*.yaml) are all classified correctly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.governance import Gate
from gateway.turn import Channel

from .support import check, codes

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Case:
    text: str
    channel: Channel = Channel.APP
    user_text: str = "What can you tell me?"
    codes: frozenset[str] = field(default_factory=frozenset)
    action: str = "replaced"


def load(name: str) -> list[Case]:
    entries: list[dict[str, Any]] = yaml.safe_load((FIXTURES / name).read_text("utf-8"))
    cases = []
    for entry in entries:
        entry.pop("why", None)
        if "channel" in entry:
            entry["channel"] = Channel(entry["channel"])
        if "codes" in entry:
            entry["codes"] = frozenset(entry["codes"])
        cases.append(Case(**entry))
    return cases


BENIGN = load("benign.yaml")
VIOLATING = load("violating.yaml")


def test_each_set_has_at_least_thirty_answers() -> None:
    assert len(BENIGN) >= 30
    assert len(VIOLATING) >= 30
    assert all(case.codes for case in VIOLATING)


@pytest.mark.parametrize("case", BENIGN, ids=lambda c: c.text[:40])
async def test_benign_answer_passes_unchanged(gate: Gate, case: Case) -> None:
    verdict = await check(gate, case.text, channel=case.channel, user_text=case.user_text)

    assert verdict.action == "pass", verdict.violations
    assert verdict.violations == ()


@pytest.mark.parametrize("case", VIOLATING, ids=lambda c: c.text[:40])
async def test_violating_answer_never_passes(gate: Gate, case: Case) -> None:
    verdict = await check(gate, case.text, channel=case.channel, user_text=case.user_text)

    assert verdict.action == case.action
    assert case.codes <= codes(verdict)
    if case.action == "repaired":
        again = await check(gate, verdict.final_text, channel=case.channel,
                            user_text=case.user_text)
        assert again.action == "pass", again.violations
