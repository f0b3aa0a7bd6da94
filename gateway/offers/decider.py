"""`PolicyOfferDecider`: a member's targeted offers → the ones this answer may carry.

Three passes, cheapest first, so the stores are asked only about offers still in play:

1. the offer alone: the program's tier and margin rules, then the policy's excluded
   departments and categories (no I/O);
2. facts read concurrently for the remaining offers: catalog terms, the member's
   first purchase day, stock and promotions at the store, impressions in Redis;
3. stacking, best offer first: one offer per category, types that never combine,
   the answer's maximum and the member's daily cap.

Every offer left out is returned with its reason code (see `rules.py`) for the audit.
Without a store id (no channel store and no home store) stock and promotions cannot
be checked and are skipped; every other rule still applies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from gateway.offers.caps import FrequencyCaps
from gateway.offers.eligibility import explain_ineligible
from gateway.offers.facts import OfferFactStore, Promotion
from gateway.offers.rules import (
    Reason,
    Rejection,
    TurnFacts,
    best_first,
    excluded,
    fact_reason,
    promotions_by_category,
    stack,
)
from gateway.policy.offers import OfferPolicy
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.turn import Member, Offer


@dataclass(frozen=True)
class OfferDecision:
    offers: tuple[Offer, ...]  # eligible, policy-checked, stack-safe, in order
    rejected: tuple[tuple[str, str], ...]  # (offer_id, machine-readable reason code) for the audit


class OfferDecider(Protocol):
    async def candidates(
        self, member: Member, targeted: tuple[Offer, ...], *, store_id: str | None, today: date
    ) -> OfferDecision: ...

    async def record_shown(self, member_id: str, offer_ids: Sequence[str], *, now: datetime) -> None: ...


class PolicyOfferDecider:
    """Implements `OfferDecider` with the program, margin and offer policies of one version."""

    def __init__(
        self,
        program: ProgramPolicy,
        margins: MarginPolicy,
        offer_policy: OfferPolicy,
        *,
        store: OfferFactStore,
        caps: FrequencyCaps,
    ) -> None:
        self._program = program
        self._margins = margins
        self._policy = offer_policy
        self._store = store
        self._caps = caps

    async def candidates(
        self, member: Member, targeted: tuple[Offer, ...], *, store_id: str | None, today: date
    ) -> OfferDecision:
        offers = list({o.offer_id: o for o in targeted}.values())  # the same offer twice is one offer
        rejected: list[Rejection] = []
        in_play = self._sift(offers, lambda o: self._offer_reason(o, member, today), rejected)
        if not in_play:
            return _decision((), rejected)
        facts = await self._facts(member.member_id, in_play, store_id, today)
        in_play = self._sift(in_play, lambda o: fact_reason(o, facts, self._policy, today), rejected)
        chosen, stacked_out = stack(best_first(in_play), facts, self._policy)
        return _decision(chosen, (*rejected, *stacked_out))

    async def record_shown(self, member_id: str, offer_ids: Sequence[str], *, now: datetime) -> None:
        """Count one impression of each offer shown to the member at `now`."""
        day = now.astimezone(UTC).date() if now.tzinfo is not None else now.date()
        await self._caps.record(member_id, offer_ids, day=day, window_days=self._policy.frequency.window_days)

    def _offer_reason(self, offer: Offer, member: Member, today: date) -> Reason | None:
        program_reason = explain_ineligible(
            offer, member, program=self._program, margins=self._margins, today=today
        )
        if program_reason is not None:
            return Reason(program_reason.value)
        return excluded(offer, self._policy)

    @staticmethod
    def _sift(
        offers: Sequence[Offer], reason_for: Callable[[Offer], Reason | None], rejected: list[Rejection]
    ) -> list[Offer]:
        kept = []
        for offer in offers:
            reason = reason_for(offer)
            if reason is None:
                kept.append(offer)
            else:
                rejected.append((offer.offer_id, reason))
        return kept

    async def _facts(
        self, member_id: str, offers: Sequence[Offer], store_id: str | None, today: date
    ) -> TurnFacts:
        ids = [o.offer_id for o in offers]
        terms, since, usage, (stock, promotions) = await asyncio.gather(
            self._store.offer_terms(ids),
            self._store.member_since(member_id),
            self._caps.usage(member_id, today, window_days=self._policy.frequency.window_days),
            self._at_store(store_id, offers, today),
        )
        return TurnFacts(terms, since, stock, promotions, usage)

    async def _at_store(
        self, store_id: str | None, offers: Sequence[Offer], today: date
    ) -> tuple[Mapping[str, int | None] | None, Mapping[str, tuple[Promotion, ...]]]:
        if store_id is None:
            return None, {}
        categories = sorted({o.category for o in offers})
        if self._policy.promotions.match == "product":
            return await asyncio.gather(
                self._store.stock_levels(store_id, categories),
                self._store.offer_promotions(store_id, today, [o.offer_id for o in offers]),
            )
        stock, active = await asyncio.gather(
            self._store.stock_levels(store_id, categories),
            self._store.active_promotions(store_id, today),
        )
        return stock, promotions_by_category(offers, active)


def _decision(offers: Sequence[Offer], rejected: Iterable[Rejection]) -> OfferDecision:
    # Plain strings, not the enum: the audit stores and compares codes as text.
    return OfferDecision(tuple(offers), tuple((offer_id, reason.value) for offer_id, reason in rejected))
