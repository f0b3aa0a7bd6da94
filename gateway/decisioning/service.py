"""Next-best offer as a service: rank a member's eligible offers, log the decision, learn from feedback.

The scorer is one process-wide learner. Ranking and learning run on the event
loop (each is well under a millisecond); saving the model is a file write, run
off the loop every `save_every` updates and at shutdown, so a restart keeps
what was learned.

Arbitration's levers and the margins come from the policy set in force (`policies`,
read on every call; a caller may hand in the version its turn runs on): a reload
changes the next ranking, and the model keeps what it learned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from gateway.decisioning._types import FeedbackEvent, Outcome, Ranking, ScoringContext
from gateway.decisioning.bandit import OfferScorer
from gateway.decisioning.persistence import ModelStore, RedisDecisionLog
from gateway.exceptions import InvalidRequest, NotFound
from gateway.policy.loader import PolicySet
from gateway.turn import MemberContext

PolicySource = Callable[[], PolicySet]


@dataclass(frozen=True)
class FeedbackResult:
    decision_id: str
    offer_id: str
    outcome: Outcome
    learned: bool
    model_updates: int


class OfferService:
    def __init__(
        self, scorer: OfferScorer, log: RedisDecisionLog, store: ModelStore, *, save_every: int = 25,
        policies: PolicySource | None = None,
    ) -> None:
        self._scorer = scorer
        self._log = log
        self._store = store
        self._save_every = save_every
        self._unsaved = 0
        self._policies = policies

    async def rank(
        self, context: MemberContext, *, channel: str, decision_id: str, policies: PolicySet | None = None
    ) -> Ranking:
        """Rank the context's offers (consent permitting) and log the decision for its feedback."""
        scoring = ScoringContext.from_member_context(context, channel=channel, decision_id=decision_id)
        policies = policies or self._current()
        if policies is None:
            ranking = self._scorer.rank(scoring, context.offers)
        else:
            ranking = self._scorer.rank(
                scoring, context.offers, policy=policies.offers.arbitration, margins=policies.margins
            )
        await self._log.put(ranking.record(scoring))
        return ranking

    async def feedback(self, decision_id: str, offer_id: str, outcome: Outcome) -> FeedbackResult:
        record = await self._log.get(decision_id)
        if record is None:
            raise NotFound(f"no offer decision {decision_id!r} (unknown, or older than the feedback window)")
        if offer_id not in {o.offer_id for o in record.offers}:
            raise InvalidRequest(
                f"offer {offer_id!r} was not part of decision {decision_id!r}", code="offer_not_in_decision"
            )
        event, policies = FeedbackEvent(record, offer_id, outcome), self._current()
        if policies is None:
            learned = self._scorer.learn(event)
        else:
            learned = self._scorer.learn(event, policy=policies.offers.arbitration, margins=policies.margins)
        if learned:
            await self._maybe_save()
        return FeedbackResult(decision_id, offer_id, outcome, learned, self._scorer.updates)

    def _current(self) -> PolicySet | None:
        return self._policies() if self._policies is not None else None

    async def close(self) -> None:
        if self._unsaved:
            await asyncio.to_thread(self._scorer.save, self._store)
            self._unsaved = 0

    async def _maybe_save(self) -> None:
        self._unsaved += 1
        if self._unsaved >= self._save_every:
            await self.close()
