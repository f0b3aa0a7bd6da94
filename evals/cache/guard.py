"""The slot guard's share of the semantic cache's figures (used by `evals.cache.run`).

Drop-one ablation on the test split at the calibrated threshold: what each slot
group of `policies/routing.yaml` blocks, and what the hits would be without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from gateway.policy.routing import SlotGroup
from gateway.routing.semantic_cache import slot_values, slots_agree


class LabelledPair(Protocol):
    @property
    def a(self) -> str: ...
    @property
    def b(self) -> str: ...
    @property
    def same(self) -> bool: ...
    @property
    def similarity(self) -> float: ...


def wilson_lower(right: int, hits: int, z: float = 1.96) -> float:
    """Lower end of the Wilson score interval (95% by default) for a precision of right/hits."""
    if hits == 0:
        return 0.0
    p = right / hits
    centre = p + z * z / (2 * hits)
    spread = z * math.sqrt(p * (1 - p) / hits + z * z / (4 * hits * hits))
    return (centre - spread) / (1 + z * z / hits)


def agree(pair: LabelledPair, groups: Sequence[SlotGroup]) -> bool:
    return slots_agree(slot_values(pair.a, groups), slot_values(pair.b, groups), groups)


def ablation(pairs: Sequence[LabelledPair], groups: Sequence[SlotGroup], threshold: float) -> list[str]:
    """Markdown rows: the whole guard, no guard, and the guard without each group in turn."""
    same_total = sum(p.same for p in pairs) or 1
    near = [p for p in pairs if p.similarity >= threshold]

    def row(label: str, kept: Sequence[SlotGroup]) -> str:
        hits = [p for p in near if agree(p, kept)]
        wrong = sum(not p.same for p in hits)
        right = len(hits) - wrong
        precision = right / len(hits) if hits else 1.0
        return (f"| {label} | {len(hits)} | {wrong} | {precision:.3f} | {wilson_lower(right, len(hits)):.3f} "
                f"| {right / same_total:.3f} |")

    rows = [row("whole guard", groups), row("no guard (cosine only)", ())]
    rows.extend(row(f"without `{g.name}`", [h for h in groups if h.name != g.name]) for g in groups)
    return ["| guard | hits | wrong | precision | Wilson 95% lower | hit rate |",
            "| --- | ---: | ---: | ---: | ---: | ---: |", *rows]


def blocked(pairs: Sequence[LabelledPair], groups: Sequence[SlotGroup], threshold: float,
            *, same: bool, limit: int = 8) -> list[str]:
    """Pairs at or above the threshold that the guard refuses (same=True: true paraphrases lost)."""
    near = (p for p in pairs if p.same is same and p.similarity >= threshold)
    found = sorted((p for p in near if not agree(p, groups)), key=lambda p: -p.similarity)
    return [f"- {p.similarity:.3f} '{p.a}' {_slots(p.a, groups)} / '{p.b}' {_slots(p.b, groups)}"
            for p in found[:limit]] or ["- none"]


def _slots(text: str, groups: Sequence[SlotGroup]) -> str:
    found = slot_values(text, groups)
    return "{" + ", ".join(f"{k}: {'+'.join(v)}" for k, v in found.items()) + "}"
