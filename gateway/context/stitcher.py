"""Context stitching: the member's live facts, eligible offers and what helps answer, in the prompt.

A turn's context is stitched from the member store (member, purchases, offers, store,
promotions), the hot profile (store just entered, items just bought), the channel's
metadata and weather, the program's terms and FAQ (`KnowledgeBase`) and products that
go with the member's basket (`CatalogVectors`). Consent comes first: a refused purpose
removes the features it covers before anything is looked up. The facts are then fitted
to the token budget (`budget.fit`); the context records which were used and dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Protocol

from gateway.consent import EVERYTHING_ALLOWED, ConsentDecision, Purpose
from gateway.context import facts as F
from gateway.context.budget import TokenCounter, counted, fit, litellm_counter
from gateway.context.prompts import PromptRegistry
from gateway.context.weather import ChannelWeather, WeatherProvider
from gateway.turn import (
    ChatMessage,
    ContextFact,
    Member,
    MemberContext,
    Offer,
    Purchase,
    RenderedPrompt,
    RequestMetadata,
    StoreInfo,
    Turn,
)

SYSTEM_TEMPLATE = "system/loyalty_assistant"
Rejections = tuple[tuple[str, str], ...]  # (offer_id, reason code), kept for the audit


class OfferChooser(Protocol):
    """What the stitcher needs of offer decisioning (`gateway.offers.OfferDecider`)."""

    async def candidates(
        self, member: Member, targeted: tuple[Offer, ...], *, store_id: str | None, today: date
    ) -> OfferChoice: ...


class OfferChoice(Protocol):
    @property
    def offers(self) -> tuple[Offer, ...]: ...
    @property
    def rejected(self) -> Rejections: ...


class StoreVisit(Protocol):
    @property
    def store_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...


class RecentItem(Protocol):
    @property
    def product_id(self) -> str | None: ...


class LiveProfile(Protocol):
    """What the stitcher reads of a member's hot profile (`gateway.events.HotProfile`)."""

    @property
    def last_store(self) -> StoreVisit | None: ...
    @property
    def recent_items(self) -> Sequence[RecentItem]: ...
    @property
    def points_since_seed(self) -> int: ...
    @property
    def recent_categories(self) -> tuple[str, ...]: ...


class LiveProfiles(Protocol):
    async def get(self, member_id: str) -> LiveProfile: ...


class MemberSource(Protocol):
    async def get_member(self, member_id: str) -> Member: ...
    async def recent_purchases(self, member_id: str, limit: int = 10) -> tuple[Purchase, ...]: ...
    async def targeted_offers(self, member_id: str) -> tuple[Offer, ...]: ...
    async def store_info(self, store_id: str) -> StoreInfo | None: ...
    async def general_offers(self, limit: int = 20) -> tuple[Offer, ...]: ...
    async def recent_product_ids(self, member_id: str, limit: int = 10) -> tuple[int, ...]: ...
    async def active_promotions(self, store_id: str, today: date) -> Sequence[F.PromotionLike]: ...
    async def stock_levels(self, store_id: str, categories: Collection[str]) -> Mapping[str, int | None]: ...


class ConsentDecider(Protocol):
    """What the stitcher asks of consent (`gateway.consent.ConsentResolver`)."""

    async def decide(self, member_id: str, metadata: RequestMetadata) -> ConsentDecision: ...


class KnowledgeSearch(Protocol):
    """`gateway.context.knowledge.KnowledgeBase`."""

    async def search(self, query: str, limit: int | None = None) -> Sequence[Found]: ...


class Found(Protocol):
    @property
    def chunk(self) -> F.PassageLike: ...
    @property
    def score(self) -> float: ...


class ComplementSearch(Protocol):
    """`gateway.context.complements.CatalogVectors`."""

    async def complements(
        self, product_ids: Sequence[int], *, avoid_categories: Collection[str] = (),
        avoid_departments: Collection[str] = (), limit: int = 10,
    ) -> Sequence[Suggested]: ...


class Suggested(Protocol):
    @property
    def product_id(self) -> int: ...
    @property
    def description(self) -> str: ...
    @property
    def category(self) -> str: ...


@dataclass(frozen=True)
class ContextSources:
    """What the stitcher adds beside the member store, and how much of it fits.

    Every source is optional: without them the gateway runs with no external service
    (weather only as the channel sent it, no knowledge, no complements).
    `never_suggest_*` are the offer policy's excluded departments and categories:
    never named in promotions or complements either (upper case, as in the data).
    """

    weather: WeatherProvider = field(default_factory=ChannelWeather)
    knowledge: KnowledgeSearch | None = None
    catalog: ComplementSearch | None = None
    consent: ConsentDecider | None = None
    count_tokens: TokenCounter | None = None  # None: litellm's default tokenizer
    token_budget: int = 600
    knowledge_in_context: int = 3
    knowledge_min_score: float = 0.25
    promotions_in_context: int = 4
    complements_in_context: int = 3
    never_suggest_departments: frozenset[str] = frozenset()
    never_suggest_categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Seen:
    """What this turn may use, after consent."""

    consent: ConsentDecision
    personal: bool  # purposes: personalization
    located: bool  # location
    metadata: RequestMetadata  # without location and weather when location is refused


class ContextStitcher:
    def __init__(
        self,
        members: MemberSource,
        prompts: PromptRegistry,
        offers: OfferChooser,
        clock: Callable[[], datetime],
        *,
        live: LiveProfiles | None = None,
        sources: ContextSources | None = None,
        store_visit_fresh_for: timedelta = timedelta(hours=2),
        purchases_in_context: int = 8,
        offers_in_context: int = 5,
    ) -> None:
        self._members = members
        self._prompts = prompts
        self._offers = offers
        self._live = live
        self._sources = sources or ContextSources()
        self._count = self._sources.count_tokens or litellm_counter("")
        self._visit_fresh_for = store_visit_fresh_for
        self._clock = clock
        self._purchases_in_context = purchases_in_context
        self._offers_in_context = offers_in_context

    async def build(self, turn: Turn) -> tuple[MemberContext, Rejections]:
        """The member's context, and the targeted offers that policy kept out of it (and why)."""
        member, live, seen = await asyncio.gather(
            self._members.get_member(turn.member_id), self._live_profile(turn.member_id), self._consent(turn)
        )
        now = self._clock()
        member = replace(member, points=member.points + (live.points_since_seed if live else 0))
        entered = self._store_just_entered(live, now) if seen.located else None
        store_id = turn.metadata.store_id or entered or member.home_store_id
        purchases, offered, store = await asyncio.gather(
            self._purchases(member.member_id, seen), self._offers_for(member.member_id, seen),
            self._store(store_id),
        )
        choice = await self._offers.candidates(member, offered, store_id=store_id, today=now.date())
        offers = choice.offers[: self._offers_in_context]
        moments = _moments(live, now, seen)
        context = MemberContext(member, purchases, offers, store, seen.metadata, now, moments, seen.consent)
        extra = await self._extra_facts(turn, context, live, seen, store_id)
        return self._fitted(context, extra), choice.rejected

    async def _consent(self, turn: Turn) -> _Seen:
        consent = self._sources.consent
        decision = await consent.decide(turn.member_id, turn.metadata) if consent else EVERYTHING_ALLOWED
        located = decision.allows(Purpose.LOCATION)
        metadata = turn.metadata if located else replace(turn.metadata, location=None, weather=None)
        return _Seen(decision, decision.allows(Purpose.PERSONALIZATION), located, metadata)

    async def _purchases(self, member_id: str, seen: _Seen) -> tuple[Purchase, ...]:
        if not seen.personal:
            return ()
        return await self._members.recent_purchases(member_id, self._purchases_in_context)

    async def _offers_for(self, member_id: str, seen: _Seen) -> tuple[Offer, ...]:
        """Targeted offers, or without personalization the general ones (still policy-checked)."""
        if seen.personal:
            return await self._members.targeted_offers(member_id)
        return await self._members.general_offers()

    async def _extra_facts(
        self, turn: Turn, context: MemberContext, live: LiveProfile | None, seen: _Seen, store_id: str | None
    ) -> list[ContextFact]:
        weather, promotions, knowledge, complements = await asyncio.gather(
            self._weather(seen), self._promotions(context, store_id),
            self._knowledge(turn.query or _last_user_text(turn)), self._complements(context, live, store_id),
        )
        return [*knowledge, *weather, *complements, *promotions]

    async def _weather(self, seen: _Seen) -> list[ContextFact]:
        """Weather is where the member is: nothing without location consent."""
        if not seen.located:
            return []
        where = seen.metadata
        found = await self._sources.weather.current(location=where.location, sent=where.weather)
        return F.weather_fact(found)

    async def _promotions(self, context: MemberContext, store_id: str | None) -> list[ContextFact]:
        if store_id is None or self._sources.promotions_in_context <= 0:
            return []
        running = await self._members.active_promotions(store_id, context.now.date())
        return F.promotion_facts(
            running, favourite_categories=[p.category for p in context.recent_purchases],
            never=self._never_categories(), limit=self._sources.promotions_in_context,
        )

    async def _knowledge(self, query: str) -> list[ContextFact]:
        source = self._sources.knowledge
        if source is None or not query.strip():
            return []
        found = await source.search(query, self._sources.knowledge_in_context)
        return F.knowledge_facts(p.chunk for p in found if p.score >= self._sources.knowledge_min_score)

    async def _complements(
        self, context: MemberContext, live: LiveProfile | None, store_id: str | None
    ) -> list[ContextFact]:
        """Products that go with the member's latest basket: personal, so only with consent."""
        catalog, limit = self._sources.catalog, self._sources.complements_in_context
        if catalog is None or limit <= 0 or not context.consent.allows(Purpose.PERSONALIZATION):
            return []
        stored = await self._members.recent_product_ids(context.member.member_id, self._purchases_in_context)
        items = live.recent_items if live else ()
        just_bought = [int(i.product_id) for i in items if i.product_id and i.product_id.isdigit()]
        bought = {p.category.upper() for p in context.recent_purchases} | _categories(live)
        found = await catalog.complements(
            [*just_bought, *stored], avoid_categories=bought | self._never_categories(),
            avoid_departments=self._sources.never_suggest_departments, limit=limit * 8,
        )
        in_stock = await self._in_stock(store_id, {s.category for s in found})
        return F.complement_facts(_one_per_category(found, in_stock, limit))

    async def _in_stock(self, store_id: str | None, categories: set[str]) -> set[str]:
        """Categories the store has (all of them when no store is known)."""
        if store_id is None or not categories:
            return categories
        levels = await self._members.stock_levels(store_id, categories)
        return {c for c, units in levels.items() if units}

    def _never_categories(self) -> set[str]:
        return {c.upper() for c in self._sources.never_suggest_categories}

    def _fitted(self, context: MemberContext, extra: list[ContextFact]) -> MemberContext:
        facts = counted([*F.member_facts(context), *extra], self._count)
        fitted = fit(facts, self._sources.token_budget)
        return replace(
            context,
            facts=tuple(f for f in fitted.used if f.section in F.SECTIONS),
            facts_used=tuple(f.fact_id for f in fitted.used),
            facts_dropped=tuple(f.fact_id for f in fitted.dropped),
        )

    async def _live_profile(self, member_id: str) -> LiveProfile | None:
        return await self._live.get(member_id) if self._live is not None else None

    def _store_just_entered(self, live: LiveProfile | None, now: datetime) -> str | None:
        visit = live.last_store if live else None
        return visit.store_id if visit and now - visit.at <= self._visit_fresh_for else None

    def prompt_for(self, turn: Turn, context: MemberContext) -> RenderedPrompt:
        """The system prompt for the hosted LLM, followed by the cleaned conversation."""
        rendered = self._prompts.render(SYSTEM_TEMPLATE, system_prompt_variables(context, turn.channel.value))
        system = ChatMessage(role="system", content=rendered.text)
        return RenderedPrompt(rendered.template, rendered.version, (system, *turn.messages))

    async def _store(self, store_id: str | None) -> StoreInfo | None:
        return await self._members.store_info(store_id) if store_id else None


def system_prompt_variables(context: MemberContext, channel: str) -> dict[str, object]:
    """Everything the system prompt template reads, from one turn's context.

    A context fitted to the budget shows only the purchases and moments it kept; one
    that was never fitted (e.g. rebuilt from an old audit record) shows them all.
    """
    fitted = bool(context.facts_used)
    used = set(context.facts_used)
    return {
        "member": context.member,
        "purchases": tuple(p for i, p in enumerate(context.recent_purchases)
                           if not fitted or f"purchase:{i}" in used),
        "offers": context.offers,
        "store": context.store,
        "metadata": context.metadata,
        "channel": channel,
        "now": context.now,
        "moments": tuple(m for i, m in enumerate(context.moments) if not fitted or f"moment:{i}" in used),
        "sections": F.sections_of(context.facts),
    }


def _moments(live: LiveProfile | None, now: datetime, seen: _Seen) -> tuple[str, ...]:
    """Plain-language lines for the prompt: what the member did since the last seed.

    The store entered needs location consent; items just bought need personalization.
    """
    if live is None:
        return ()
    lines = []
    if live.last_store is not None and seen.located:
        minutes = F.minutes_since(now, live.last_store.at)
        lines.append(f"entered store {live.last_store.store_id} {minutes} min ago")
    if live.recent_categories and seen.personal:
        lines.append("just bought: " + ", ".join(c.lower() for c in live.recent_categories[:3]))
    return tuple(lines)


def _categories(live: LiveProfile | None) -> set[str]:
    return {c.upper() for c in live.recent_categories} if live else set()


def _one_per_category(found: Sequence[Suggested], in_stock: set[str], limit: int) -> list[F.Suggestion]:
    chosen: dict[str, F.Suggestion] = {}
    for s in found:
        if s.category in in_stock and s.category not in chosen:
            chosen[s.category] = F.Suggestion(s.product_id, s.description, s.category)
    return list(chosen.values())[:limit]


def _last_user_text(turn: Turn) -> str:
    return next((m.content for m in reversed(turn.messages) if m.role == "user"), "")
