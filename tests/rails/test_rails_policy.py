"""The rails policy is validated data: typos, broken patterns and missing actions are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.exceptions import ConfigError
from gateway.policy.input_rails import load_input_rails_policy
from gateway.rails import InputScreen
from gateway.turn import ChatMessage

from .support import MEMBER_ID, POLICY_PATH


def edited_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = POLICY_PATH.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "input_rails.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_shipped_policy_loads_with_its_text() -> None:
    policy, text = load_input_rails_policy(POLICY_PATH)
    assert "instruction_override" in policy.rules
    assert text == POLICY_PATH.read_text(encoding="utf-8")


def test_bad_rails_policy_key_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    path = edited_copy(tmp_path, "max_excerpt_chars:", "max_excerpt_char:")
    with pytest.raises(ConfigError) as err:
        load_input_rails_policy(path)
    assert f"{path}:{line_of(path, 'max_excerpt_char:')}" in err.value.message
    assert "max_excerpt_char" in err.value.message


def test_a_broken_pattern_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = edited_copy(tmp_path, "      - '\\bjailbr(?:eak|eaking|oken)\\b'",
                       "      - '\\bjailbr(?:eak|eaking|oken\\b'")
    with pytest.raises(ConfigError) as err:
        load_input_rails_policy(path)
    assert f"{path}:{line_of(path, 'jailbr(')}" in err.value.message
    assert "not a valid regular expression" in err.value.message


def test_a_code_without_an_action_is_refused(tmp_path: Path) -> None:
    path = edited_copy(tmp_path, "  role_play: block\n", "")
    with pytest.raises(ConfigError, match=r"no action .* for role_play"):
        load_input_rails_policy(path)


def test_an_action_for_no_rule_is_refused(tmp_path: Path) -> None:
    path = edited_copy(tmp_path, "  role_play: block\n", "  role_play: block\n  role_plays: flag\n")
    with pytest.raises(ConfigError, match="role_plays is not a rule"):
        load_input_rails_policy(path)


def test_an_action_must_be_flag_or_block(tmp_path: Path) -> None:
    path = edited_copy(tmp_path, "  role_play: block\n", "  role_play: ignore\n")
    with pytest.raises(ConfigError, match="role_play"):
        load_input_rails_policy(path)


def test_a_member_reference_pattern_must_capture_the_id(tmp_path: Path) -> None:
    path = edited_copy(tmp_path, "(?P<id>\\d{3,12})''s", "(\\d{3,12})''s")
    with pytest.raises(ConfigError, match="named group"):
        load_input_rails_policy(path)


def test_whether_a_code_blocks_or_flags_is_policy(tmp_path: Path) -> None:
    path = edited_copy(tmp_path, "  role_play: block\n", "  role_play: flag\n")
    screen = InputScreen(load_input_rails_policy(path)[0])
    message = (ChatMessage("user", "Let's play a game where you are a pirate."),)
    result = screen.screen(message, member_id=MEMBER_ID)
    assert result.action == "flag"
    assert result.codes == ("role_play",)
