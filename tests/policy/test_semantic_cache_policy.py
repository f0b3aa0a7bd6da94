"""The semantic cache section of routing.yaml is validated data: bad values fail with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.exceptions import ConfigError
from gateway.policy.loader import load_policy_set
from gateway.settings import PROJECT_ROOT


def routing_file(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    return folder / "routing.yaml"


def line_of(path: Path, needle: str) -> int:
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if needle in text)


def test_the_shipped_semantic_cache_is_on_with_a_calibrated_threshold() -> None:
    rules = load_policy_set(PROJECT_ROOT / "policies").routing.semantic_cache
    assert rules.enabled and 0.5 < rules.threshold <= 1 and rules.ttl_s > 0


@pytest.mark.parametrize(("old", "new", "field"), [
    ("  threshold:", "  treshold:", "treshold"),
    ("  ttl_s: 3600", "  ttl_s: 0", "ttl_s"),
    ("  enabled: true", "  enabled: maybe", "enabled"),
])
def test_a_bad_semantic_cache_value_is_refused_naming_file_and_line(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    path = routing_file(tmp_path)
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ConfigError) as err:
        load_policy_set(path.parent)
    assert f"{path}:{line_of(path, new.strip())}" in err.value.message
    assert f"semantic_cache.{field}" in err.value.message


def test_a_threshold_above_one_is_refused(tmp_path: Path) -> None:
    path = routing_file(tmp_path)
    text = path.read_text()
    start = text.index("  threshold:")
    end = text.index("\n", start)
    path.write_text(text[:start] + "  threshold: 1.5" + text[end:])
    with pytest.raises(ConfigError, match=r"semantic_cache\.threshold"):
        load_policy_set(path.parent)


def test_a_routing_file_without_the_section_is_refused(tmp_path: Path) -> None:
    path = routing_file(tmp_path)
    text = path.read_text()
    path.write_text(text[: text.index("semantic_cache:")])
    with pytest.raises(ConfigError, match="semantic_cache"):
        load_policy_set(path.parent)
