"""The checks are cheap enough to run on every answer and every streamed sentence."""

from __future__ import annotations

import statistics
import time

from gateway.governance import RuleBook
from gateway.governance._facts import TurnFacts
from gateway.governance.markers import render_markers
from gateway.policy.governance import GovernancePolicy

from .support import make_context
from .test_fixture_sets import BENIGN, VIOLATING


def test_median_rule_check_takes_well_under_a_millisecond(policy: GovernancePolicy) -> None:
    book = RuleBook(policy)
    context = make_context()
    samples = []
    for _ in range(5):
        for case in BENIGN + VIOLATING:
            text = render_markers(case.text, context).text
            start = time.perf_counter()
            facts = TurnFacts.build(context, case.channel, case.user_text, policy.claims)
            book.for_channel(case.channel).check_all(text, facts)
            samples.append(time.perf_counter() - start)

    # Measured at about 0.12 ms on 2 cores; the bound leaves room for a busy machine.
    assert statistics.median(samples) < 0.001
