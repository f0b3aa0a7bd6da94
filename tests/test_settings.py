"""Settings: every one documented in .env.example; environment over .env over defaults."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.exceptions import ConfigError
from gateway.settings import PROJECT_ROOT, Settings, load_settings


def documented_names() -> set[str]:
    text = (PROJECT_ROOT / ".env.example").read_text()
    return {m.group(1).lower() for m in re.finditer(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE)}


def test_every_setting_is_documented_in_env_example() -> None:
    assert documented_names() == set(Settings.model_fields)


def test_environment_wins_over_env_file_which_wins_over_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9001\nMAX_MESSAGES=7\n")
    monkeypatch.setenv("PORT", "9002")
    settings = load_settings(_env_file=env_file)
    assert settings.port == 9002  # environment
    assert settings.max_messages == 7  # .env
    assert settings.max_message_chars == 4000  # default


def test_a_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    with pytest.raises(ConfigError, match="port"):
        load_settings(_env_file=None)


def test_the_llm_key_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_API_KEY", "sk-very-secret")
    settings = load_settings(_env_file=None)
    assert "sk-very-secret" not in repr(settings) and "sk-very-secret" not in str(settings)
    assert settings.llm_api_key.get_secret_value() == "sk-very-secret"
