"""The routing graph as validated data (policies/routing.yaml)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from gateway.policy.yamlfile import StrictModel

RouteStep = Literal["exact_cache", "small_model", "llm", "fallback"]


SlotMode = Literal["exact", "conflict"]
_TERM = re.compile(r"^[a-z0-9]+( [a-z0-9]+)*$")


class SlotGroup(StrictModel):
    """Words that flip a question's meaning while barely moving its embedding.

    Each value (`sunday`, `close`, `negation` ...) is named by its terms: lowercase
    words or phrases, matched whole-word after the same folding as the query
    (`sundays` matches `sunday`). `exact`: a hit needs the same values on both
    sides (a weekday against none is a miss). `conflict`: a hit is refused only
    when both sides name values of the group and they differ. `numbers` makes
    every number written in digits a value of the group too.
    """

    name: str = Field(pattern=r"^[a-z_]+$")
    mode: SlotMode
    numbers: bool = False
    values: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("values")
    @classmethod
    def _terms_are_plain_and_unique(cls, values: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        seen: dict[str, str] = {}
        for value, terms in values.items():
            if not terms:
                raise ValueError(f"slot value {value!r} has no terms")
            for term in terms:
                if not _TERM.match(term):
                    raise ValueError(f"slot term {term!r} of {value!r}: lowercase letters, digits and "
                                     "single spaces only")
                if seen.setdefault(term, value) != value:
                    raise ValueError(f"slot term {term!r} names both {seen[term]!r} and {value!r}")
        return values

    def __hash__(self) -> int:  # frozen, but `values` is a dict: hash its items
        return hash((self.name, self.mode, self.numbers, tuple(self.values.items())))

    @model_validator(mode="after")
    def _not_empty(self) -> SlotGroup:
        if not self.values and not self.numbers:
            raise ValueError(f"slot group {self.name!r} has no values and does not match numbers")
        return self


class SemanticCachePolicy(StrictModel):
    """The semantic cache (Qdrant): when a paraphrase may reuse a shareable answer.

    `threshold` is the cosine similarity a query must reach against a cached
    entry, calibrated by `python -m evals.cache.run` on labelled paraphrase pairs,
    with the `slots` guard on: a hit also needs the query and the entry to agree
    on every slot group (weekday, open/close, a number, a negation, the topic noun).
    """

    enabled: bool
    threshold: float = Field(gt=0, le=1)
    ttl_s: int = Field(gt=0)
    max_entries_per_scope: int = Field(gt=0)
    cache_llm_answers: bool  # shareable hosted-LLM answers too, not only lookup templates
    slots: tuple[SlotGroup, ...] = ()

    @field_validator("slots")
    @classmethod
    def _unique_groups(cls, slots: tuple[SlotGroup, ...]) -> tuple[SlotGroup, ...]:
        names = [g.name for g in slots]
        if len(set(names)) != len(names):
            raise ValueError("a slot group name may appear only once")
        return slots


class RouterPolicy(StrictModel):
    """The trained route model (small model / cache / LLM) and how sure it must be.

    A prediction under `min_confidence` takes the safe route (the hosted LLM,
    else the governed fallback), and the route's reason says so.
    """

    model_version: str = Field(pattern=r"^(latest|v\d{8}T\d{6}Z-[0-9a-f]{8})$")
    min_confidence: float = Field(ge=0, le=1)


class RoutingPolicy(StrictModel):
    order: tuple[RouteStep, ...] = Field(min_length=1)
    small_model_min_confidence: float = Field(ge=0, le=1)
    cacheable_intents: frozenset[str]
    exact_cache_ttl_s: int = Field(gt=0)
    semantic_cache: SemanticCachePolicy
    router: RouterPolicy

    @field_validator("order")
    @classmethod
    def _fallback_last(cls, order: tuple[RouteStep, ...]) -> tuple[RouteStep, ...]:
        if order[-1] != "fallback":
            raise ValueError("the last step must be 'fallback': every turn gets an answer")
        if len(set(order)) != len(order):
            raise ValueError("a routing step may appear only once")
        return order
