"""The labelled intent set: one JSON object per line, `{"text", "intent", "channel"}`.

Validation is strict because a bad line silently skews the model: unknown keys,
unknown intents or channels, empty texts and duplicates (which would leak
between the training and held-out splits) are all errors naming the line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.exceptions import ModelError
from gateway.smallmodel.labels import EXAMPLE_CHANNELS, INTENTS

_KEYS = frozenset({"text", "intent", "channel"})
#: Below this an intent cannot be split, cross-validated and still evaluated.
MIN_EXAMPLES_PER_INTENT = 10


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    channel: str


@dataclass(frozen=True)
class Dataset:
    path: Path
    sha256: str
    examples: tuple[Example, ...]

    @property
    def texts(self) -> list[str]:
        return [e.text for e in self.examples]

    @property
    def intents(self) -> list[str]:
        return [e.intent for e in self.examples]

    def counts(self) -> dict[str, int]:
        counted = Counter(self.intents)
        return {intent: counted[intent] for intent in INTENTS}


def load_dataset(path: Path) -> Dataset:
    try:
        raw = path.read_bytes()
        lines = raw.decode("utf-8").splitlines()
    except OSError as e:
        raise _invalid(f"cannot read {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise _invalid(f"{path} is not UTF-8 text ({e.reason})") from e
    seen: dict[str, int] = {}
    examples = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        example = _parse_line(path, number, line)
        key = " ".join(example.text.lower().split())
        if key in seen:
            raise _invalid(f"{path}:{number}: duplicate of line {seen[key]}: {example.text!r}")
        seen[key] = number
        examples.append(example)
    dataset = Dataset(path=path, sha256=hashlib.sha256(raw).hexdigest(), examples=tuple(examples))
    too_few = {i: n for i, n in dataset.counts().items() if n < MIN_EXAMPLES_PER_INTENT}
    if too_few:
        raise _invalid(f"{path}: need at least {MIN_EXAMPLES_PER_INTENT} examples per intent: {too_few}")
    return dataset


def _parse_line(path: Path, number: int, line: str) -> Example:
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as e:
        raise _invalid(f"{path}:{number}: not valid JSON ({e.msg})") from e
    if not isinstance(record, dict) or set(record) != _KEYS:
        raise _invalid(f"{path}:{number}: expected exactly the keys {sorted(_KEYS)}")
    text, intent, channel = record["text"], record["intent"], record["channel"]
    if not isinstance(text, str) or not text.strip():
        raise _invalid(f"{path}:{number}: text must be a non-empty string")
    if intent not in INTENTS:
        raise _invalid(f"{path}:{number}: unknown intent {intent!r} (known: {', '.join(INTENTS)})")
    if channel not in EXAMPLE_CHANNELS:
        raise _invalid(f"{path}:{number}: unknown channel {channel!r}")
    return Example(text=text.strip(), intent=intent, channel=channel)


def _invalid(message: str) -> ModelError:
    return ModelError(f"invalid training data: {message}", code="invalid_training_data")
