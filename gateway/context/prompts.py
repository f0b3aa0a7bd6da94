"""Versioned prompt and answer templates, loaded and checked once at start-up.

Templates live under `prompts/` as `*.j2` files. They render in a sandboxed Jinja
environment with `StrictUndefined`, so a missing variable is an error instead of
an empty string in front of a customer. A template's version is the hash of its
content; it goes into the audit record of every turn that used it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from gateway.exceptions import ConfigError
from gateway.policy.yamlfile import content_version


@dataclass(frozen=True)
class Rendered:
    template: str
    version: str
    text: str


class PromptRegistry:
    """All templates under one folder, by name relative to it (e.g. `answers/points_balance`)."""

    def __init__(self, root: Path) -> None:
        self._env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(root)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain text for models and chat, never HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._templates: dict[str, jinja2.Template] = {}
        self._versions: dict[str, str] = {}
        self._load_all(root)

    def _load_all(self, root: Path) -> None:
        if not root.is_dir():
            raise ConfigError(f"prompts folder {root} does not exist")
        for path in sorted(root.rglob("*.j2")):
            name = path.relative_to(root).with_suffix("").as_posix()
            try:
                self._templates[name] = self._env.get_template(path.relative_to(root).as_posix())
            except jinja2.TemplateSyntaxError as e:
                raise ConfigError(f"{path}:{e.lineno}: template syntax error: {e.message}") from e
            self._versions[name] = content_version(path.read_text(encoding="utf-8"))
        if not self._templates:
            raise ConfigError(f"no *.j2 templates under {root}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._templates)

    def has(self, name: str) -> bool:
        return name in self._templates

    def version(self, name: str) -> str:
        return self._versions[self._require(name)]

    def version_of_folder(self, folder: str) -> str:
        """One version for every template under `folder` (e.g. all answer templates)."""
        prefix = folder.rstrip("/") + "/"
        names = sorted(n for n in self._templates if n.startswith(prefix))
        return content_version(*(f"{n}={self._versions[n]}" for n in names))

    def render(self, name: str, variables: Mapping[str, Any]) -> Rendered:
        template = self._templates[self._require(name)]
        try:
            text = template.render(**variables).strip()
        except jinja2.UndefinedError as e:
            raise ConfigError(f"template {name!r} needs a variable it was not given: {e}") from e
        return Rendered(template=name, version=self._versions[name], text=text)

    def _require(self, name: str) -> str:
        if name not in self._templates:
            raise ConfigError(f"no template named {name!r} (have: {', '.join(self.names)})")
        return name
