"""The simulation behind `evals/bandit/report.md`, run small: its bookkeeping must hold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evals.bandit.run import SeedResult, run_seed
from evals.bandit.simulate import main, summarise
from evals.bandit.world import WorldConfig
from gateway.decisioning import ArbitrationPolicy
from gateway.policy.loader import PolicySet

SMALL = WorldConfig(members=50, days=14, rounds_per_day=30)


@pytest.fixture(scope="module")
def result(policies: PolicySet) -> SeedResult:
    return run_seed(1, SMALL, ArbitrationPolicy(), policies.margins, program=policies.program, ope_days=7)


def test_no_policy_beats_the_oracle_in_expectation(result: SeedResult) -> None:
    oracle = result.names.index("oracle")
    assert np.all(result.expected[oracle] >= result.expected - 1e-12)


def test_every_policy_met_every_round(result: SeedResult) -> None:
    assert result.expected.shape == (len(result.names), SMALL.rounds)
    assert set(result.names) >= {"oracle", "online bandit", "weekly batch"}


def test_off_policy_estimates_come_with_the_truth_they_are_judged_against(result: SeedResult) -> None:
    assert set(result.ope) == {"ips", "snips", "dr", "truth", "logging_policy", "weights"}
    assert result.ope["weights"]["n"] == 7 * SMALL.rounds_per_day
    assert 0 < result.ope["truth"]["value"] < 1


def test_the_summary_puts_regret_against_the_oracle(result: SeedResult) -> None:
    summary = summarise([result, result], SMALL.rounds_per_day)
    assert summary["policies"]["oracle"]["regret"][0] == 0
    assert summary["policies"]["online bandit"]["regret"][0] > 0
    assert "oracle" not in summary["curves"]["regret"]


def test_the_command_writes_its_report_and_figure(tmp_path: Path) -> None:
    main(["--seeds", "1", "2", "--days", "7", "--rounds-per-day", "20", "--ope-days", "3",
          "--workers", "1", "--out", str(tmp_path)])  # fmt: skip
    assert (tmp_path / "report.json").is_file()
    assert "## Off-policy evaluation" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert any(tmp_path.glob("cumulative.*"))
