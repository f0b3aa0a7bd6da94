"""The governance policy is validated data: a typo fails loudly, with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.exceptions import ConfigError
from gateway.policy.governance import VIOLATION_CODES, GovernancePolicy, load_governance_policy
from gateway.policy.program import ProgramPolicy
from gateway.policy.yamlfile import load_model
from gateway.turn import Channel

from .support import POLICY_PATH

PROGRAM_PATH = POLICY_PATH.parent / "program.yaml"


def _copy_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = POLICY_PATH.read_text(encoding="utf-8")
    assert old in text
    changed = text.replace(old, new, 1)
    path = tmp_path / "governance.yaml"
    path.write_text(changed, encoding="utf-8")
    line = changed[: changed.index(new)].count("\n") + 1
    return path, line


def test_shipped_policy_loads_with_a_content_version() -> None:
    policy, version = load_governance_policy(POLICY_PATH)

    assert set(policy.channels) == set(Channel)
    assert len(version) == 16
    assert load_governance_policy(POLICY_PATH)[1] == version


def test_bad_policy_key_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    path, line = _copy_with(tmp_path, "  banned_phrases:", "  baned_phrases:")

    with pytest.raises(ConfigError) as raised:
        load_governance_policy(path)

    message = str(raised.value)
    assert f"{path}:{line}" in message
    assert "baned_phrases" in message


def test_every_violation_needs_a_repair_action(tmp_path: Path) -> None:
    path, _ = _copy_with(tmp_path, "    competitor: repair\n", "")

    with pytest.raises(ConfigError, match="no repair action for: competitor"):
        load_governance_policy(path)


def test_a_failed_check_can_never_be_repaired(tmp_path: Path) -> None:
    path, _ = _copy_with(tmp_path, "gate_error: replace", "gate_error: repair")

    with pytest.raises(ConfigError, match="gate_error must be 'replace'"):
        load_governance_policy(path)


def test_a_kiosk_fallback_without_disclosure_is_refused(tmp_path: Path) -> None:
    path, _ = _copy_with(tmp_path, "I'm an automated assistant, and I can't",
                         "Sorry, I can't")

    with pytest.raises(ConfigError, match="kiosk fallback lacks the required disclosure"):
        load_governance_policy(path)


def test_a_blank_phrase_is_refused(tmp_path: Path) -> None:
    path, _ = _copy_with(tmp_path, "code_words: [code,", "code_words: ['  ', code,")

    with pytest.raises(ConfigError, match="code_words"):
        load_governance_policy(path)


def test_tier_names_match_the_program_policy(policy: GovernancePolicy) -> None:
    program, _ = load_model(PROGRAM_PATH, ProgramPolicy)

    assert tuple(policy.claims.tier_names) == tuple(t.name for t in program.tiers)


def test_violation_codes_have_actions_in_the_shipped_policy(policy: GovernancePolicy) -> None:
    assert set(policy.repair.actions) == set(VIOLATION_CODES)


def test_an_advice_pair_needs_both_verbs_and_objects(tmp_path: Path) -> None:
    path, _ = _copy_with(tmp_path, "      - verbs: [invest, investing, invested]\n",
                            "      - verbs: []\n")

    with pytest.raises(ConfigError, match=r"advice\.financial\.pairs\.0\.verbs"):
        load_governance_policy(path)


def test_a_misspelt_advice_topic_is_refused(tmp_path: Path) -> None:
    path, _ = _copy_with(tmp_path, "  legal:\n", "  legall:\n")

    with pytest.raises(ConfigError, match="legall"):
        load_governance_policy(path)


def test_every_violation_code_names_its_policy_section() -> None:
    from gateway.governance._facts import SECTION

    assert set(SECTION) == set(VIOLATION_CODES)
