"""A turn's context as a list of facts: ids, prompt sections, wording and usefulness.

Pure functions from what the sources returned to `ContextFact`s; `budget.fit` then
chooses which of them the prompt shows. Priorities are explained in `budget`. No fact
carries a price or a saving: promotions and complements name products and
categories only (the gate treats any other price as a violation).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gateway.context.budget import PINNED
from gateway.turn import ContextFact, MemberContext, Offer, Purchase, StoreInfo

WEATHER, PROMOTIONS, KNOWLEDGE, COMPLEMENTS = "weather", "promotions", "knowledge", "complements"
SECTIONS = (WEATHER, PROMOTIONS, KNOWLEDGE, COMPLEMENTS)
_PRICE_LIKE = re.compile(r"[$%€£¢]|\d|\bfree\b|\boff\b|\bsave\b|\bsale\b", re.IGNORECASE)


class PromotionLike(Protocol):
    @property
    def category(self) -> str: ...
    @property
    def kind(self) -> str: ...


class PassageLike(Protocol):
    @property
    def chunk_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Suggestion:
    product_id: int
    description: str
    category: str


def member_facts(context: MemberContext) -> list[ContextFact]:
    """Identity, tier, points, store, time and offers (pinned), then moments and purchases."""
    member = context.member
    tier = member.tier + (f" (next tier: {member.next_tier})" if member.next_tier else "")
    facts = [
        _pinned("member:tier", f"tier: {tier}"),
        _pinned("member:points", f"points balance: {member.points}"),
        _pinned("time", f"local time: {context.now.strftime('%A %H:%M')}"),
    ]
    if context.store is not None:
        facts.append(_pinned(f"store:{context.store.store_id}", _store_line(context.store)))
    facts.extend(_pinned(f"offer:{o.offer_id}", _offer_line(o)) for o in context.offers)
    facts.extend(
        ContextFact(f"moment:{i}", "moments", f"just now: {m}", 60) for i, m in enumerate(context.moments)
    )
    facts.extend(purchase_facts(context.recent_purchases))
    return facts


def purchase_facts(purchases: Sequence[Purchase]) -> list[ContextFact]:
    """Newest first; the oldest purchase has the lowest priority, so it goes first."""
    return [
        ContextFact(f"purchase:{i}", "purchases", f"{p.product} ({p.category.lower()})", max(21, 30 - i))
        for i, p in enumerate(purchases)
    ]


def weather_fact(weather: str | None) -> list[ContextFact]:
    return [ContextFact("weather", WEATHER, weather, 55)] if weather else []


def promotion_facts(
    promotions: Iterable[PromotionLike], *, favourite_categories: Sequence[str],
    never: Collection[str], limit: int,
) -> list[ContextFact]:
    """One fact per category: the member's own categories first, then displays, then by name."""
    kinds: dict[str, set[str]] = {}
    for p in promotions:
        if p.category.upper() not in never and not looks_like_a_price(p.category):
            kinds.setdefault(p.category, set()).add(p.kind)
    favourite = {c.upper(): i for i, c in enumerate(favourite_categories)}

    def rank(category: str) -> tuple[int, int, str]:
        return (favourite.get(category.upper(), len(favourite)), "display" not in kinds[category], category)

    chosen = sorted(kinds, key=rank)[:limit]
    return [
        ContextFact(f"promotion:{c.lower()}", PROMOTIONS, _promotion_line(c, kinds[c]), max(31, 40 - i))
        for i, c in enumerate(chosen)
    ]


def knowledge_facts(passages: Iterable[PassageLike]) -> list[ContextFact]:
    return [
        ContextFact(f"knowledge:{p.chunk_id}", KNOWLEDGE, f"{p.title}: {p.text}", max(61, 70 - i))
        for i, p in enumerate(passages)
    ]


def complement_facts(suggestions: Iterable[Suggestion]) -> list[ContextFact]:
    lines = [(s.product_id, f"{s.description} ({s.category.lower()})") for s in suggestions]
    return [
        ContextFact(f"complement:{pid}", COMPLEMENTS, text, max(41, 50 - i))
        for i, (pid, text) in enumerate((pid, text) for pid, text in lines if not looks_like_a_price(text))
    ]


def looks_like_a_price(text: str) -> bool:
    """A product or category name the gate could read as a price or a saving ("2% milk",
    "sugar free"): such names are left out rather than risk a claim no offer approved."""
    return _PRICE_LIKE.search(text) is not None


def sections_of(facts: Iterable[ContextFact]) -> dict[str, list[str]]:
    """The texts of the facts shown in each extra section, every section present (maybe empty)."""
    found: dict[str, list[str]] = {name: [] for name in SECTIONS}
    for fact in facts:
        if fact.section in found:
            found[fact.section].append(fact.text)
    return found


def _pinned(fact_id: str, text: str) -> ContextFact:
    return ContextFact(fact_id, "member", text, PINNED)


def _store_line(store: StoreInfo) -> str:
    return f"store: {store.name}, open {store.hours}"


def _offer_line(offer: Offer) -> str:
    return f"[[offer:{offer.offer_id}]] — {offer.category.lower()}"


def _promotion_line(category: str, kinds: set[str]) -> str:
    places = (("display", "on display in store"), ("mailer", "in this week's mailer"))
    where = [w for k, w in places if k in kinds]
    return f"{category.lower()}: {' and '.join(where)}"


def minutes_since(now: datetime, then: datetime) -> int:
    return max(0, int((now - then).total_seconds() // 60))
