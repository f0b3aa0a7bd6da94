"""`StoreNotifier`: a top-tier member entered a store → a governed summary on the store's tablets.

    event consumer applies store_entered ──► on_applied (no I/O: schedules a task)
        member in a top tier? ── no ──► nothing
        consent: location, personalization and profiling allowed? ── no ──► audited skip
        summary (policy facts only) ──► governance gate, associate channel
        audit record (durable) ──► publish on notifications:store:{store_id}

A store entry is location data used to profile the member for a sales conversation,
so all three purposes must be allowed; a member who refused any of them (a relayed GPC
signal refuses profiling) gets no notification, and the audit keeps the decision.
Location events themselves are applied to the hot profile whatever the consent, and
ignored at decision time (here and in the context stitcher): consent is decided per
decision, and a GPC signal arrives with a request, not with the event.

A store entry older than `fresh_for` (a redelivery after a crash, a backfill) notifies
nobody: the member has most likely left.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from gateway.clienteling._feed import StoreFeed
from gateway.clienteling._summary import ClientSummary, build_summary
from gateway.consent import ConsentDecision, ConsentSource, Purpose
from gateway.context.snapshot import context_snapshot
from gateway.events import AppliedEvent, StoreEnteredEvent
from gateway.exceptions import GatewayError
from gateway.pipeline import AuditWriter, PolicyBound
from gateway.policy.live import LivePolicies, PolicySnapshot
from gateway.turn import (
    Channel,
    Draft,
    Member,
    MemberContext,
    Offer,
    Purchase,
    RequestMetadata,
    Route,
    RouteDecision,
    StoreInfo,
    Turn,
    Verdict,
)

_log = logging.getLogger(__name__)
NEEDED = (Purpose.LOCATION, Purpose.PERSONALIZATION, Purpose.PROFILING)


class MemberFacts(Protocol):
    async def get_member(self, member_id: str) -> Member: ...
    async def recent_purchases(self, member_id: str, limit: int = 10) -> tuple[Purchase, ...]: ...
    async def targeted_offers(self, member_id: str) -> tuple[Offer, ...]: ...
    async def store_info(self, store_id: str) -> StoreInfo | None: ...


class RecentCategories(Protocol):
    @property
    def recent_categories(self) -> tuple[str, ...]: ...


class LiveProfiles(Protocol):
    async def get(self, member_id: str) -> RecentCategories: ...


@dataclass(frozen=True)
class Entry:
    """A store entry to notify about."""

    member_id: str
    store_id: str
    event_id: str
    accepted_at: float  # epoch seconds: when POST /v1/events handed it to the stream


class StoreNotifier:
    def __init__(
        self,
        *,
        policies: LivePolicies[PolicyBound],
        members: MemberFacts,
        live: LiveProfiles,
        consent: ConsentSource,
        feed: StoreFeed,
        write_audit: AuditWriter,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        fresh_for: timedelta = timedelta(minutes=10),
        purchases_read: int = 50,
        concurrency: int = 8,
    ) -> None:
        self._policies = policies
        self._members = members
        self._live = live
        self._consent = consent
        self._feed = feed
        self._write_audit = write_audit
        self._clock = clock
        self._fresh_for = fresh_for
        self._purchases_read = purchases_read
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()

    def on_applied(self, applied: AppliedEvent) -> None:
        """The event consumer's listener: schedules the work, never blocks the consumer."""
        event = applied.event
        if not isinstance(event, StoreEnteredEvent) or not applied.changed:
            return
        if self._clock() - event.occurred_at > self._fresh_for:
            return
        entry = Entry(event.member_id, event.store_id, event.event_id, applied.accepted_at)
        task = asyncio.get_running_loop().create_task(self._guarded(entry), name="store-notification")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Let the notifications under way finish (bounded), then cancel the rest."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=5.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _guarded(self, entry: Entry) -> None:
        async with self._slots:
            try:
                await self.notify(entry)
            except GatewayError as e:
                _log.warning("store notification for %s at store %s not sent: %s",
                             entry.event_id, entry.store_id, e.message)
            except Exception:  # a background task: a bug here must not go unseen, nor stop the others
                _log.exception("store notification for %s at store %s failed", entry.event_id, entry.store_id)

    async def notify(self, entry: Entry) -> dict[str, Any] | None:
        """The notification sent for this entry, or None when none is due."""
        self._policies.refresh()  # as a request does: a changed policy file applies here too
        snapshot = self._policies.current
        rule = snapshot.policies.program.clienteling
        if rule is None:
            return None
        member = await self._members.get_member(entry.member_id)
        if member.tier not in rule.top_tiers:
            return None
        metadata = RequestMetadata(store_id=entry.store_id)
        consent = await self._consent.decide(entry.member_id, metadata)
        if refused := [p.value for p in NEEDED if not consent.allows(p)]:
            await self._write_audit(_skipped(entry, consent, refused))
            return None
        turn, summary = await self._summarise(entry, member, consent, snapshot)
        verdict = turn.verdict
        assert verdict is not None
        notification = _notification(turn.decision_id, entry, summary, verdict)
        turn.extra["clienteling"]["notification"] = notification
        await self._write_audit(turn)  # durable before the notification leaves
        await self._feed.publish(entry.store_id, notification)
        return notification

    async def _summarise(
        self, entry: Entry, member: Member, consent: ConsentDecision, snapshot: PolicySnapshot[PolicyBound],
    ) -> tuple[Turn, ClientSummary]:
        """The summary under one policy version: its offer rules, its clienteling rule, its gate."""
        started = time.perf_counter()
        policies, bound = snapshot.policies, snapshot.built
        rule = policies.program.clienteling
        assert rule is not None
        now = self._clock()
        purchases, targeted, store, live = await asyncio.gather(
            self._members.recent_purchases(member.member_id, self._purchases_read),
            self._members.targeted_offers(member.member_id),
            self._members.store_info(entry.store_id),
            self._live.get(member.member_id),
        )
        choice = await bound.offers.candidates(member, targeted, store_id=entry.store_id, today=now.date())
        summary = build_summary(
            member, rule=rule, purchases=purchases, live_categories=live.recent_categories,
            offers=choice.offers, not_suggested=policies.offers.eligibility,
        )
        draft = summary.draft(rule.max_summary_chars)
        metadata = RequestMetadata(store_id=entry.store_id)
        context = MemberContext(member, purchases, choice.offers, store, metadata, now, consent=consent)
        verdict = await bound.gate.check(draft, context, Channel.ASSOCIATE, user_text="")
        turn = _turn(entry, context, draft, verdict)
        turn.extra["offers_rejected"] = [{"offer_id": o, "reason": r} for o, r in choice.rejected]
        turn.extra["clienteling"] = {"store_id": entry.store_id, "event_id": entry.event_id,
                                     "summary": summary.facts(), "max_chars": rule.max_summary_chars}
        turn.timings_ms["clienteling"] = (time.perf_counter() - started) * 1000
        return turn, summary


def _turn(entry: Entry, context: MemberContext, draft: str, verdict: Verdict) -> Turn:
    turn = Turn(Channel.ASSOCIATE, entry.member_id, (), context.metadata, requested_model="clienteling")
    turn.context = context
    turn.route = RouteDecision(Route.SMALL_MODEL, "clienteling: top-tier member entered the store")
    turn.draft = Draft(draft, Route.SMALL_MODEL, model="clienteling-summary", note="store notification")
    turn.verdict = verdict
    turn.extra.update(context=context_snapshot(context), consent=context.consent.for_audit())
    return turn


def _skipped(entry: Entry, consent: ConsentDecision, refused: Sequence[str]) -> Turn:
    turn = Turn(Channel.ASSOCIATE, entry.member_id, (), RequestMetadata(store_id=entry.store_id),
                requested_model="clienteling")
    turn.flags.append("clienteling:consent_refused")
    turn.extra.update(
        consent=consent.for_audit(),
        clienteling={"store_id": entry.store_id, "event_id": entry.event_id, "skipped": "consent",
                     "refused": list(refused)},
    )
    return turn


def _notification(decision_id: str, entry: Entry, summary: ClientSummary, verdict: Verdict) -> dict[str, Any]:
    """What the tablet receives: the governed text, and the facts that survived the gate."""
    shown = verdict.final_text
    offer = summary.offer if summary.offer and summary.offer.offer_id in verdict.offers_rendered else None
    passed = verdict.action != "replaced"
    return {
        "decision_id": decision_id,
        "store_id": entry.store_id,
        "member_ref": summary.member_ref,
        "tier": summary.tier if passed else None,
        "interests": [i for i in summary.interests if i in shown],
        "suggested_item": summary.suggested_item if summary.suggested_item and summary.suggested_item in shown
        else None,
        "offer": {"offer_id": offer.offer_id, "terms": offer.render()} if offer else None,
        "text": shown,
        "governance": {"action": verdict.action, "violations": [v.code for v in verdict.violations],
                       "policy_version": verdict.policy_version},
        "event_id": entry.event_id,
        "accepted_at": entry.accepted_at,
    }
