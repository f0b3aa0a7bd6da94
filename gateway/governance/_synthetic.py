"""Templated training sentences for the claim classifier, read from a YAML file.

    synthetic_sentences(path, seed) -> list[SyntheticSentence]

The file (e.g. evals/governance/synthetic/claims.yaml) holds `slots` (lists of
fillers), `violating` and `benign` templates per category, and `per_template`:
how many seeded combinations each template yields. A template is one group: the
classifier's cross-validation never has sentences of one template on both sides.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

_SLOT = re.compile(r"\{([a-z_0-9]+)\}")


class TemplateFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    per_template: int = Field(default=6, ge=1, le=50)
    slots: dict[str, tuple[str, ...]]
    violating: dict[str, tuple[str, ...]]
    benign: dict[str, tuple[str, ...]]

    @model_validator(mode="after")
    def _slots_exist(self) -> TemplateFile:
        for templates in (*self.violating.values(), *self.benign.values()):
            for template in templates:
                missing = [s for s in _SLOT.findall(template) if not self.slots.get(s)]
                if missing:
                    raise ValueError(f"template {template!r} uses unknown or empty slots {missing}")
        return self


@dataclass(frozen=True)
class SyntheticSentence:
    group: str  # one per template
    text: str
    label: Literal["violating", "benign"]


def synthetic_sentences(path: Path, seed: int = 7) -> list[SyntheticSentence]:
    try:
        spec = TemplateFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as e:
        raise ValueError(f"{path}: not a valid template file ({e})") from e
    rng = random.Random(seed)
    out: list[SyntheticSentence] = []
    sides: tuple[tuple[Literal["violating", "benign"], dict[str, tuple[str, ...]]], ...] = (
        ("violating", spec.violating), ("benign", spec.benign))
    for label, categories in sides:
        for category, templates in categories.items():
            for n, template in enumerate(templates):
                texts = {_fill(template, spec.slots, rng) for _ in range(spec.per_template)}
                out += [SyntheticSentence(f"syn:{label}:{category}:{n}", t, label) for t in sorted(texts)]
    return out


def _fill(template: str, slots: dict[str, tuple[str, ...]], rng: random.Random) -> str:
    text = _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template)
    return text[:1].upper() + text[1:]
