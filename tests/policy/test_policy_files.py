"""Policies are validated data: the shipped files load; a typo is refused with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.exceptions import ConfigError
from gateway.policy.loader import load_policy_set
from gateway.settings import PROJECT_ROOT

POLICIES = PROJECT_ROOT / "policies"


def copy_policies(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    return folder


def test_the_shipped_policies_load_with_a_version() -> None:
    policies = load_policy_set(POLICIES)
    assert [t.name for t in policies.program.tiers] == ["Bronze", "Silver", "Gold", "Platinum"]
    assert len(policies.version) == 16


def test_any_edit_changes_the_version(tmp_path: Path) -> None:
    folder = copy_policies(tmp_path)
    before = load_policy_set(folder).version
    path = folder / "margins.yaml"
    path.write_text(path.read_text().replace("GROCERY: 26", "GROCERY: 27"))
    assert load_policy_set(folder).version != before


def test_a_misspelt_key_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    folder = copy_policies(tmp_path)
    path = folder / "routing.yaml"
    path.write_text(path.read_text().replace("exact_cache_ttl_s:", "exact_cache_ttl:"))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "exact_cache_ttl:" in text)
    with pytest.raises(ConfigError) as err:
        load_policy_set(folder)
    assert f"{path}:{line}" in err.value.message
    assert "exact_cache_ttl" in err.value.message


def test_tiers_out_of_order_are_refused(tmp_path: Path) -> None:
    folder = copy_policies(tmp_path)
    path = folder / "program.yaml"
    path.write_text(path.read_text().replace("min_annual_spend: 2500", "min_annual_spend: 500"))
    with pytest.raises(ConfigError, match="strictly rising"):
        load_policy_set(folder)


def test_a_routing_order_without_a_final_fallback_is_refused(tmp_path: Path) -> None:
    folder = copy_policies(tmp_path)
    path = folder / "routing.yaml"
    path.write_text(path.read_text().replace("order: [exact_cache, small_model, llm, fallback]",
                                             "order: [exact_cache, small_model, llm]"))
    with pytest.raises(ConfigError, match="fallback"):
        load_policy_set(folder)
