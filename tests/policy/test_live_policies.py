"""Reload without restart: a good edit takes effect on the next look, a bad one never does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.exceptions import ConfigError
from gateway.policy.live import LivePolicies
from gateway.policy.loader import PolicySet
from gateway.settings import PROJECT_ROOT


def live_copy(tmp_path: Path) -> tuple[Path, LivePolicies[str]]:
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    built: list[str] = []

    def build(policies: PolicySet) -> str:
        built.append(policies.version)
        return f"built:{policies.version}"

    return folder, LivePolicies(folder, build, check_interval_s=0)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_good_edit_takes_effect_on_the_next_refresh(tmp_path: Path) -> None:
    folder, live = live_copy(tmp_path)
    before = live.current.policies.version
    edit(folder / "margins.yaml", "GROCERY: 26", "GROCERY: 30")
    result = live.refresh()
    assert result.changed and result.version != before
    assert live.current.policies.margins.departments["GROCERY"] == 30
    assert live.current.built == f"built:{result.version}"


def test_a_bad_edit_is_refused_and_the_last_good_version_keeps_serving(tmp_path: Path) -> None:
    folder, live = live_copy(tmp_path)
    good = live.current
    edit(folder / "routing.yaml", "small_model_min_confidence: 0.5", "small_model_min_confidence: 5")
    result = live.refresh()
    assert not result.changed and result.error is not None
    assert "routing.yaml" in result.error and "small_model_min_confidence" in result.error
    assert live.current is good
    assert live.last_error == result.error and live.failures == 1


def test_fixing_the_bad_file_recovers(tmp_path: Path) -> None:
    folder, live = live_copy(tmp_path)
    path = folder / "routing.yaml"
    original = path.read_text()
    path.write_text(original + "\nunknown_key: 1\n")
    assert live.refresh().error is not None
    path.write_text(original.replace("exact_cache_ttl_s: 3600", "exact_cache_ttl_s: 60"))
    result = live.refresh()
    assert result.error is None and live.last_error is None
    assert live.current.policies.routing.exact_cache_ttl_s == 60


def test_nothing_is_reloaded_when_no_file_changed(tmp_path: Path) -> None:
    _, live = live_copy(tmp_path)
    snapshot = live.current
    assert not live.refresh().changed
    assert live.current is snapshot


def test_a_bad_policy_set_at_start_up_refuses_to_start(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    (folder / "program.yaml").write_text("program_name: x\n")
    with pytest.raises(ConfigError, match=r"program\.yaml"):
        LivePolicies(folder, lambda p: p.version)
