"""The gate alone, per answer: the same drafts and member contexts the gateway judged.

Each turn is read back from the audit log (draft, query, channel and the context
snapshot the decision was made on) and checked again in-process, `repeats` times
after one warm-up; an answer's latency is the median of its repeats. Three ways:
the five checks called directly, `Gate.check` on the rules engine and on the
guardrails engine (one AsyncGuard per channel, as the served gateway uses).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from gateway.audit import open_audit_log
from gateway.context.snapshot import context_from_snapshot
from gateway.governance import ClaimClassifier, Gate, RuleBook
from gateway.governance._facts import TurnFacts
from gateway.governance.markers import render_markers
from gateway.policy.governance import GovernancePolicy
from gateway.turn import Channel, MemberContext


@dataclass(frozen=True)
class RecordedTurn:
    draft: str
    context: MemberContext
    channel: Channel
    query: str


@dataclass(frozen=True)
class Latency:
    name: str
    per_answer_ms: tuple[float, ...]

    @property
    def p50(self) -> float:
        return statistics.median(self.per_answer_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.per_answer_ms)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]

    @property
    def max(self) -> float:
        return max(self.per_answer_ms)


async def recorded_turns(audit_url: str, decision_ids: Sequence[str]) -> list[RecordedTurn]:
    log = open_audit_log(audit_url)
    turns = []
    try:
        for decision_id in decision_ids:
            stored = await log.get(decision_id)
            if stored is None:
                raise RuntimeError(f"decision {decision_id} is not in the audit log")
            record = stored.record()
            snapshot = record.extra["context"]
            turns.append(RecordedTurn(record.draft_text or "", context_from_snapshot(snapshot),
                                      Channel(record.channel), record.query))
    finally:
        await log.close()
    return turns


async def time_gate(
    turns: Sequence[RecordedTurn], policy: GovernancePolicy, version: str, *, repeats: int = 5,
    semantic: ClaimClassifier | None = None,
) -> list[Latency]:
    """`semantic`: time the gates with the claim classifier."""
    book = RuleBook(policy)
    gates = {engine: Gate(policy, version, engine=engine, semantic=semantic)
             for engine in ("rules", "guardrails")}
    suffix = "" if semantic is None else " + claim classifier"

    async def checks_alone(t: RecordedTurn) -> None:
        text = render_markers(t.draft, t.context).text
        facts = TurnFacts.build(t.context, t.channel, t.query, policy.claims)
        book.for_channel(t.channel).check_all(text, facts)

    def through(gate: Gate) -> Callable[[RecordedTurn], Awaitable[object]]:
        return lambda t: gate.check(t.draft, t.context, t.channel, user_text=t.query)

    return [
        Latency("checks alone (facts + 5 checks)", await _per_answer(checks_alone, turns, repeats)),
        Latency(f"Gate.check, rules engine{suffix}",
                await _per_answer(through(gates["rules"]), turns, repeats)),
        Latency(f"Gate.check, guardrails engine{suffix}",
                await _per_answer(through(gates["guardrails"]), turns, repeats)),
    ]


async def _per_answer(
    run: Callable[[RecordedTurn], Awaitable[object]], turns: Sequence[RecordedTurn], repeats: int
) -> tuple[float, ...]:
    medians = []
    for turn in turns:
        await run(turn)  # warm-up: first-use costs are not the gate's steady state
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            await run(turn)
            samples.append((time.perf_counter() - start) * 1000)
        medians.append(statistics.median(samples))
    return tuple(medians)
