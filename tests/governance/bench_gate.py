"""Measure the gate's latency per answer: `python -m tests.governance.bench_gate`.

Runs every answer of the fixture sets through (1) the four checks called
directly, (2) the whole gate on the rules engine and (3) the whole gate on the
guardrails engine (AsyncGuard), and prints p50/p99 in milliseconds. Not a test:
timings depend on the machine; the tests assert behaviour only.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from gateway.governance import Gate, RuleBook
from gateway.governance._facts import TurnFacts
from gateway.governance.markers import render_markers
from gateway.policy.governance import load_governance_policy
from gateway.turn import MemberContext

from .support import POLICY_PATH, make_context
from .test_fixture_sets import BENIGN, VIOLATING, Case

ROUNDS = 30


def _report(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(f"{name:<34} n={len(ms):>5}  p50={statistics.median(ms):7.3f} ms  p99={p99:7.3f} ms")


async def _time_gate(gate: Gate, case: Case, context: MemberContext) -> float:
    start = time.perf_counter()
    await gate.check(case.text, context, case.channel, user_text=case.user_text)
    return time.perf_counter() - start


async def main() -> None:
    policy, version = load_governance_policy(POLICY_PATH)
    context = make_context()
    cases = BENIGN + VIOLATING
    book = RuleBook(policy)
    direct = []
    for _ in range(ROUNDS):
        for case in cases:
            text = render_markers(case.text, context).text
            start = time.perf_counter()
            facts = TurnFacts.build(context, case.channel, case.user_text, policy.claims)
            book.for_channel(case.channel).check_all(text, facts)
            direct.append(time.perf_counter() - start)
    _report("checks alone (facts + 5 checks)", direct)
    for engine in ("rules", "guardrails"):
        gate = Gate(policy, version, engine=engine)
        for name, subset in (("benign", BENIGN), ("violating", VIOLATING)):
            samples = [
                await _time_gate(gate, case, context) for _ in range(ROUNDS) for case in subset
            ]
            _report(f"Gate.check {engine}, {name}", samples)


if __name__ == "__main__":
    asyncio.run(main())
