"""The request path: dataprep → context → routing → generation → governance → audit.

Each stage is handed in through the constructor (see `gateway/composition.py`);
this module only fixes their order and what passes between them. Every stage
runs inside `StageRecorder.stage`, which makes it a span and a histogram.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Protocol

from gateway.context.prompts import PromptRegistry
from gateway.context.snapshot import context_snapshot
from gateway.context.stitcher import ContextStitcher
from gateway.dataprep import Limits, prepare_conversation
from gateway.decisioning import Ranking
from gateway.exceptions import ModelError, StoreError, UpstreamError
from gateway.monitoring import StageRecorder
from gateway.offers import OfferDecider
from gateway.policy.live import LivePolicies
from gateway.policy.loader import PolicySet
from gateway.rails import REFUSAL_TEMPLATE, ScreenResult, leaks_system_prompt
from gateway.routing import Router
from gateway.turn import Channel, ChatMessage, Draft, MemberContext, Route, RouteDecision, Turn, Verdict


class Responder(Protocol):
    def answer(self, intent: str, context: MemberContext, *, channel: Channel) -> Draft: ...


class HostedModel(Protocol):
    async def complete(self, messages: tuple[ChatMessage, ...], *, decision_id: str) -> Draft: ...


class Gate(Protocol):
    async def check(
        self, text: str, context: MemberContext, channel: Channel, *, user_text: str,
        earlier_answers: Sequence[str] = (),
    ) -> Verdict: ...


AuditWriter = Callable[[Turn], Awaitable[None]]


class OfferRanker(Protocol):
    """Next-best-offer ranking (`gateway.decisioning.service.OfferService`): orders the
    context's offers and logs the decision under its id, for `POST /v1/feedback`."""

    async def rank(
        self, context: MemberContext, *, channel: str, decision_id: str, policies: PolicySet | None = None
    ) -> Ranking: ...


class Screen(Protocol):
    def screen(self, messages: tuple[ChatMessage, ...], *, member_id: str) -> ScreenResult: ...


@dataclass(frozen=True)
class PolicyBound:
    """The stages built from one policy version; swapped as a whole on reload."""

    screen: Screen
    offers: OfferDecider
    stitcher: ContextStitcher
    router: Router
    gate: Gate


@dataclass(frozen=True)
class Stages:
    limits: Limits
    policies: LivePolicies[PolicyBound]
    responder: Responder
    llm: HostedModel | None
    prompts: PromptRegistry
    write_audit: AuditWriter
    recorder: StageRecorder
    shadow: Callable[[Turn], Awaitable[None]] | None = None  # a candidate intent model, never answers
    offer_ranker: OfferRanker | None = None  # orders the context's offers; None keeps the decider's order


class Pipeline:
    def __init__(self, stages: Stages) -> None:
        self._s = stages

    async def run(self, turn: Turn) -> Turn:
        s = self._s
        s.policies.refresh()
        current = s.policies.current  # one policy version for the whole turn
        bound = current.built
        with s.recorder.turn(turn):
            with s.recorder.stage(turn, "dataprep"):
                screened = self._prepare(turn, bound.screen)
            with s.recorder.stage(turn, "context"):
                turn.context, rejected = await bound.stitcher.build(turn)
                turn.extra["context"] = context_snapshot(turn.context)
                turn.extra["offers_rejected"] = [{"offer_id": o, "reason": r} for o, r in rejected]
                if screened.action != "block":
                    turn.context = await self._rank_offers(turn, turn.context, current.policies)
            with s.recorder.stage(turn, "routing"):
                turn.route = await self._route(turn, bound.router, screened)
            with s.recorder.stage(turn, "generation"):
                turn.draft = await self._generate(turn, turn.context, bound.stitcher, screened)
                turn.draft = self._without_leak(turn, turn.draft)
            with s.recorder.stage(turn, "governance"):
                turn.verdict = await bound.gate.check(
                    turn.draft.text, turn.context, turn.channel, user_text=turn.query,
                    earlier_answers=tuple(m.content for m in turn.messages if m.role == "assistant"),
                )
            await bound.router.remember(turn)
            if s.shadow is not None:
                await s.shadow(turn)  # into turn.extra["shadow"], before the audit record is made
            with s.recorder.stage(turn, "audit"):
                await s.write_audit(turn)  # durable before the answer leaves
            await self._count_shown(turn, bound.offers)
            s.recorder.finished(turn)
        return turn

    async def _rank_offers(self, turn: Turn, context: MemberContext, policies: PolicySet) -> MemberContext:
        """The context's offers in next-best-offer order, the decision logged under the turn's id
        and explained in the audit (`next_best_offer`); a failure keeps the decider's order."""
        ranker = self._s.offer_ranker
        if ranker is None or not context.offers:
            return context
        try:
            ranking = await ranker.rank(
                context, channel=turn.channel.value, decision_id=turn.decision_id, policies=policies
            )
        except (StoreError, ModelError) as e:
            turn.flags.append("offer_ranking_failed")
            turn.extra["offer_ranking_error"] = e.message
            return context
        turn.extra["next_best_offer"] = ranking.explained()
        return replace(context, offers=tuple(s.offer for s in ranking.offers))

    async def _count_shown(self, turn: Turn, offers: OfferDecider) -> None:
        """Frequency caps count what was shown; the answer is already made, so a cache
        failure here is flagged, never a reason to withhold it."""
        assert turn.verdict is not None
        if not turn.verdict.offers_rendered:
            return
        try:
            await offers.record_shown(turn.member_id, turn.verdict.offers_rendered, now=turn.started_at)
        except StoreError:
            turn.flags.append("frequency_cap_unrecorded")

    def _prepare(self, turn: Turn, screen: Screen) -> ScreenResult:
        """Clean and size-check the conversation, then screen it for attacks."""
        prepared = prepare_conversation(turn.messages, self._s.limits)
        turn.messages, turn.query = prepared.messages, prepared.query
        turn.flags.extend(prepared.flags)
        screened = screen.screen(turn.messages, member_id=turn.member_id)
        turn.flags.extend(screened.flags)
        if screened.findings:
            turn.extra["input_rails"] = [asdict(f) for f in screened.findings]
        return screened

    async def _route(self, turn: Turn, router: Router, screened: ScreenResult) -> RouteDecision:
        if screened.action != "block":
            return await router.decide(turn)
        # A blocked attack never reaches a model: a polite refusal, still gated and audited.
        return RouteDecision(Route.FALLBACK, "input rail: " + ",".join(screened.codes))

    def _without_leak(self, turn: Turn, draft: Draft) -> Draft:
        """A hosted-LLM draft that repeats the system prompt is replaced before the gate."""
        if turn.prompt is None or draft.route is not Route.LLM:
            return draft
        if not leaks_system_prompt(draft.text, turn.prompt.messages[0].content):
            return draft
        turn.flags.append("output_rail:system_prompt_leak")
        turn.extra["leaked_draft"] = draft.text
        return self._fallback(REFUSAL_TEMPLATE, "draft repeated the system prompt")

    async def _generate(
        self, turn: Turn, context: MemberContext, stitcher: ContextStitcher, screened: ScreenResult
    ) -> Draft:
        assert turn.route is not None
        route = turn.route.route
        if screened.action == "block":
            return self._fallback(REFUSAL_TEMPLATE, "input rail blocked the request")
        if route is Route.CACHE and turn.route.cached_text is not None:
            return _semantic_answer(turn.route.cached_text)  # a shareable answer, still gated
        if route in (Route.CACHE, Route.SMALL_MODEL) and turn.route.intent:
            draft = self._s.responder.answer(turn.route.intent, context, channel=turn.channel)
            return draft if route is Route.SMALL_MODEL else _as_cached(draft, turn.route)
        if route is Route.LLM and self._s.llm is not None:
            turn.prompt = stitcher.prompt_for(turn, context)
            try:
                messages = turn.prompt.messages
                return await self._s.llm.complete(messages, decision_id=turn.decision_id)
            except UpstreamError as e:
                turn.flags.append("upstream_failed")
                turn.extra["upstream_error"] = e.message
                return self._fallback("fallback/upstream_failed", "hosted LLM failed")
        return self._fallback("fallback/no_llm", "no LLM provider configured")

    def _fallback(self, template: str, note: str) -> Draft:
        rendered = self._s.prompts.render(template, {})
        return Draft(
            text=rendered.text, route=Route.FALLBACK, model="none",
            prompt_version=rendered.version, note=note,
        )


def _as_cached(draft: Draft, decision: RouteDecision) -> Draft:
    which = "semantic" if decision.cache_entry_id else "exact"
    return Draft(
        text=draft.text, route=Route.CACHE, model=draft.model,
        prompt_version=draft.prompt_version, note=f"answer template from the {which} cache",
    )


def _semantic_answer(text: str) -> Draft:
    return Draft(
        text=text, route=Route.CACHE, model="semantic-cache", note="shareable answer from the semantic cache"
    )
