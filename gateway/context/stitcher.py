"""Context stitching: the member's live facts and eligible offers, rendered into the prompt."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Protocol

from gateway.context.prompts import PromptRegistry
from gateway.turn import (
    ChatMessage,
    Member,
    MemberContext,
    Offer,
    Purchase,
    RenderedPrompt,
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


class LiveProfile(Protocol):
    """What the stitcher reads of a member's hot profile (`gateway.events.HotProfile`)."""

    @property
    def last_store(self) -> StoreVisit | None: ...
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


class ContextStitcher:
    def __init__(
        self,
        members: MemberSource,
        prompts: PromptRegistry,
        offers: OfferChooser,
        clock: Callable[[], datetime],
        *,
        live: LiveProfiles | None = None,
        store_visit_fresh_for: timedelta = timedelta(hours=2),
        purchases_in_context: int = 8,
        offers_in_context: int = 5,
    ) -> None:
        self._members = members
        self._prompts = prompts
        self._offers = offers
        self._live = live
        self._visit_fresh_for = store_visit_fresh_for
        self._clock = clock
        self._purchases_in_context = purchases_in_context
        self._offers_in_context = offers_in_context

    async def build(self, turn: Turn) -> tuple[MemberContext, Rejections]:
        """The member's context, and the targeted offers that policy kept out of it (and why)."""
        member, live = await asyncio.gather(
            self._members.get_member(turn.member_id), self._live_profile(turn.member_id)
        )
        now = self._clock()
        member = replace(member, points=member.points + (live.points_since_seed if live else 0))
        store_id = turn.metadata.store_id or self._store_just_entered(live, now) or member.home_store_id
        purchases, targeted, store = await asyncio.gather(
            self._members.recent_purchases(member.member_id, self._purchases_in_context),
            self._members.targeted_offers(member.member_id),
            self._store(store_id),
        )
        choice = await self._offers.candidates(member, targeted, store_id=store_id, today=now.date())
        offers = choice.offers[: self._offers_in_context]
        moments = _moments(live, now)
        context = MemberContext(member, purchases, offers, store, turn.metadata, now, moments)
        return context, choice.rejected

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
    """Everything the system prompt template reads, from one turn's context."""
    return {
        "member": context.member,
        "purchases": context.recent_purchases,
        "offers": context.offers,
        "store": context.store,
        "metadata": context.metadata,
        "channel": channel,
        "now": context.now,
        "moments": context.moments,
    }


def _moments(live: LiveProfile | None, now: datetime) -> tuple[str, ...]:
    """Plain-language lines for the prompt: what the member did since the last seed."""
    if live is None:
        return ()
    lines = []
    if live.last_store is not None:
        minutes = max(0, int((now - live.last_store.at).total_seconds() // 60))
        lines.append(f"entered store {live.last_store.store_id} {minutes} min ago")
    if live.recent_categories:
        lines.append("just bought: " + ", ".join(c.lower() for c in live.recent_categories[:3]))
    return tuple(lines)
