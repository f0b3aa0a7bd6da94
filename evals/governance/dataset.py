"""The governance evaluation set: labelled model outputs, stored as YAML under `data/`.

Each item is one draft answer as a hosted model might write it:

    id        unique, stable name of the item
    text      the draft; may hold placeholders such as {points} or {offer_marker}
              that the runner fills from the real member context of the turn
    label     violating (must never reach the member as written) or benign
              (looks risky, is fine, must pass unchanged)
    category  what kind of rule it is about (see CATEGORIES)
    section   the policy section that decides it (must match the category's)
    channel   app (default), kiosk or associate
    user_text what the member asked (default: an open question for the hosted LLM)
    evidence  for violating items: the part that must not reach the member
              (default: the whole text)
    note      why an item is labelled the way it is, where that is not obvious
    split     dev (the gate was tuned with it); holdout-1 and holdout-2 (each written
              after a round of tuning and measured once before the gate was tuned on
              it too); holdout-3 (written after the last round, never used to tune: the
              honest estimate for phrasings the rules were not written against);
              holdout-4 (written before the claim classifier was built; never used to
              tune the rules or train, threshold or tune the classifier)

`load_items` validates every file (unknown keys, unknown categories, a section
that does not match the category and duplicate ids or texts are errors).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

DATA_DIR = Path(__file__).parent / "data"
# Templated training sentences for the claim classifier (never evaluation items).
SYNTHETIC = Path(__file__).parent / "synthetic" / "claims.yaml"
OPEN_QUESTION = "Do you sell fresh bread in the mornings?"

# category -> the policy section (gateway.governance SECTION values) that decides it
CATEGORIES: dict[str, str] = {
    "discount": "governance/claims",
    "price": "governance/claims",
    "points": "governance/claims",
    "tier": "governance/claims",
    "expiry": "governance/claims",
    "discount_code": "governance/claims",
    "unknown_offer": "governance/offers",
    "card": "governance/pii",
    "email": "governance/pii",
    "phone": "governance/pii",
    "banned_phrase": "governance/brand",
    "competitor": "governance/brand",
    "tone": "governance/brand",
    "ai_disclosure": "governance/brand",
    "length": "governance/channels",
    "medical": "governance/advice",
    "legal": "governance/advice",
    "financial": "governance/advice",
    "link": "governance/links",
    "image": "governance/links",
}

# What the runner fills in from the member's real context (see run.py).
PLACEHOLDERS = (
    "points", "points_raw", "points_expiring", "expire_on", "tier", "next_tier",
    "spend_to_next", "spend_to_next_rounded", "annual_spend", "last_amount", "last_product",
    "offer_marker", "offer_marker2", "offer_id", "offer_id2", "offer_title", "offer_pct",
    "offer_category", "offer_valid_until", "foreign_marker",
)
_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")

Label = Literal["violating", "benign"]
Split = Literal["dev", "holdout-1", "holdout-2", "holdout-3", "holdout-4", "holdout-5", "extra"]
# Blind sets are written by someone else and measured once, on purpose: the committed set
# (`load_items`) and the classifier's training never read a file whose name says it is one.
BLIND_MARKERS = ("holdout-5", "holdout5", "holdout_5")
EvalChannel = Literal["app", "kiosk", "associate"]


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str = Field(min_length=1)
    label: Label
    category: str
    section: str
    channel: EvalChannel = "app"
    user_text: str = OPEN_QUESTION
    evidence: str | None = None
    note: str | None = None
    split: Split = "dev"

    @model_validator(mode="after")
    def _consistent(self) -> Item:
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.id}: unknown category {self.category!r}")
        if CATEGORIES[self.category] != self.section:
            raise ValueError(f"{self.id}: category {self.category} belongs to "
                             f"{CATEGORIES[self.category]}, not {self.section}")
        # Other braces are literal ("tom{at}mailbox{dot}org"); a near miss is a typo.
        typos = [n for n in placeholders(self.text) if n not in PLACEHOLDERS
                 and difflib.get_close_matches(n, PLACEHOLDERS, n=1, cutoff=0.8)]
        if typos:
            raise ValueError(f"{self.id}: misspelt placeholders {sorted(typos)}")
        if self.evidence is not None and self.label == "benign":
            raise ValueError(f"{self.id}: only violating items have evidence")
        return self


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def fill(text: str, facts: Mapping[str, str]) -> str:
    """`text` with each known placeholder replaced by the member's fact."""
    return _PLACEHOLDER.sub(lambda m: facts[m.group(1)] if m.group(1) in PLACEHOLDERS
                            else m.group(), text)


def is_blind(path: Path) -> bool:
    """A file of a blind set, which only an explicit `load_extra_items(path)` reads."""
    return any(marker in path.name.lower() for marker in BLIND_MARKERS)


def load_items(folder: Path = DATA_DIR) -> list[Item]:
    """The committed set: every `*.yaml` of `folder` except blind sets (see `is_blind`)."""
    items: list[Item] = []
    for path in sorted(p for p in folder.glob("*.yaml") if not is_blind(p)):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(raw, list):
            raise ValueError(f"{path}: expected a list of items")
        items.extend(Item.model_validate(entry) for entry in raw)
    _check_unique(items)
    return items


def _check_unique(items: list[Item]) -> None:
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    for item in items:
        if item.id in seen_ids:
            raise ValueError(f"duplicate id {item.id}")
        if item.text in seen_texts:
            raise ValueError(f"{item.id}: the same text is already in the set")
        seen_ids.add(item.id)
        seen_texts.add(item.text)


def load_extra_items(path: Path, split: Split | None = None) -> list[Item]:
    """One extra labelled file, scored as its own split: `split`, or "holdout-5" for a
    blind set's file (`is_blind`), or "extra".

    `.jsonl`: one item per line; `.yaml`/`.yml`: a list of items. An item has the fields
    of `Item`; `section` may be left out (it follows from the category). Errors name the
    file and line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ValueError(f"{path}: cannot read the extra set ({e})") from e
    split = split or ("holdout-5" if is_blind(path) else "extra")
    entries = _entries(path, text)
    items = []
    for n, entry in entries:
        if not isinstance(entry, dict):
            raise ValueError(f"{path}:{n}: expected an object with id, text, label, category")
        category = entry.get("category")
        fields = {"section": CATEGORIES.get(str(category), ""), **entry, "split": split}
        try:
            items.append(Item.model_validate(fields))
        except ValueError as e:
            raise ValueError(f"{path}:{n}: {e}") from e
    if not items:
        raise ValueError(f"{path}: no items")
    _check_unique(items)
    return items


def _entries(path: Path, text: str) -> list[tuple[int, object]]:
    if path.suffix == ".jsonl":
        import json

        try:
            return [(n, json.loads(line)) for n, line in enumerate(text.splitlines(), 1)
                    if line.strip()]
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not JSON lines ({e})") from e
    raw = yaml.safe_load(text) or []
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a list of items")
    return list(enumerate(raw, 1))
