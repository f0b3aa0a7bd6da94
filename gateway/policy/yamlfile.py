"""Load one YAML file into a pydantic model, with errors that name file, line and problem.

Policies, routing and model configuration are data; a typo must fail loudly at
load (every model here forbids unknown keys), never silently switch a rule off.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from gateway.exceptions import ConfigError

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for every policy/config model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def content_version(*texts: str) -> str:
    """A short, stable version id for one or more files' contents."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def load_model(path: Path, model: type[ModelT]) -> tuple[ModelT, str]:
    """Parse and validate `path`; returns the model and the file's text (for versioning)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read file ({e.strerror})") from e
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from e
    try:
        return model.model_validate(data if data is not None else {}), text
    except ValidationError as e:
        raise ConfigError(_describe(path, node, e)) from e


def _describe(path: Path, node: yaml.Node | None, error: ValidationError) -> str:
    problems = []
    for err in error.errors():
        loc = tuple(err["loc"])
        line = _line_of(node, loc)
        where = ".".join(str(p) for p in loc) or "(top level)"
        at = f"line {line}" if line else "somewhere"
        problems.append(f"{path}:{line or '?'}: {where}: {err['msg']} ({at})")
    return "invalid file: " + "; ".join(problems)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a 1-based line."""
    current = node
    for key in loc:
        child = _child(current, key)
        if child is None:
            break
        current = child
    return current.start_mark.line + 1 if current is not None else None


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == str(key):
                found: yaml.Node = value_node
                return found
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        child: yaml.Node = node.value[key]
        return child
    return None
