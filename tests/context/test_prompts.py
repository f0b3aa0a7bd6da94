"""Prompt templates: sandboxed, strict about missing variables, versioned by content."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from gateway.context.prompts import PromptRegistry
from gateway.exceptions import ConfigError
from gateway.settings import PROJECT_ROOT


def registry_with(tmp_path: Path, **templates: str) -> PromptRegistry:
    for name, text in templates.items():
        path = tmp_path / f"{name}.j2"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return PromptRegistry(tmp_path)


def test_every_shipped_template_loads() -> None:
    registry = PromptRegistry(PROJECT_ROOT / "prompts")
    assert {"system/loyalty_assistant", "fallback/no_llm", "answers/points_balance"} <= set(registry.names)


def test_a_missing_variable_is_an_error_not_an_empty_string(tmp_path: Path) -> None:
    registry = registry_with(tmp_path, greet="Hello {{ name }}")
    with pytest.raises(ConfigError, match="needs a variable"):
        registry.render("greet", {})


def test_a_syntax_error_is_refused_at_load_with_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"broken\.j2:2"):
        registry_with(tmp_path, broken="ok\n{% if %}")


def test_templates_cannot_reach_python_internals(tmp_path: Path) -> None:
    registry = registry_with(tmp_path, evil="{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        registry.render("evil", {})


def test_the_version_follows_the_content(tmp_path: Path) -> None:
    first = registry_with(tmp_path / "a", answers__x="v1").version("answers__x")
    second = registry_with(tmp_path / "b", answers__x="v2").version("answers__x")
    assert first != second
