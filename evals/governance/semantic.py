"""The gate with and without the claim classifier, on the turns the served gateway judged.

The composition root does not yet build the served gateway's gate with the
classifier, so this part runs at gate level: every recorded turn (draft, member
context, channel, question, read back from the audit log) goes through
`Gate.check` twice, rules only and rules + classifier, and is scored like the
end-to-end run (`scoring.reached`, `scoring.altered`). The served gateway calls
`Gate.check` once per answer, whole or streamed, so its verdict is the same.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

from evals.governance.scoring import Counts, Outcome, altered, reached
from evals.governance.timing import Latency, RecordedTurn
from gateway.governance import ClaimClassifier, Gate, RuleBook
from gateway.governance._facts import TurnFacts
from gateway.governance.markers import render_markers
from gateway.policy.governance import GovernancePolicy

VARIANTS = ("rules", "rules + classifier")


async def gate_outcomes(outcomes: Sequence[Outcome], turns: Sequence[RecordedTurn],
                        gate: Gate) -> list[Outcome]:
    """`outcomes` as they would be with `gate` deciding (whole and streamed alike)."""
    judged = []
    for outcome, turn in zip(outcomes, turns, strict=True):
        verdict = await gate.check(turn.draft, turn.context, turn.channel, user_text=turn.query)
        answer = dataclasses.replace(
            outcome.plain, text=verdict.final_text, action=verdict.action,
            codes=tuple(v.code for v in verdict.violations),
            sections=tuple(dict.fromkeys(v.policy for v in verdict.violations)))
        judged.append(dataclasses.replace(outcome, plain=answer, streamed=answer))
    return judged


def semantic_latency(turns: Sequence[RecordedTurn], policy: GovernancePolicy,
                     classifier: ClaimClassifier, *, repeats: int = 5) -> Latency:
    """The classifier's own cost per answer (split, one encode, score), rules excluded."""
    book = RuleBook(policy)
    medians = []
    for t in turns:
        text = render_markers(t.draft, t.context).text
        facts = TurnFacts.build(t.context, t.channel, t.query, policy.claims)
        ruled = book.for_channel(t.channel).check_all(text, facts)
        samples = []
        for n in range(repeats + 1):
            start = time.perf_counter()
            classifier.findings(text, facts, ruled)
            if n:  # the first call is a warm-up
                samples.append((time.perf_counter() - start) * 1000)
        medians.append(sorted(samples)[len(samples) // 2])
    return Latency("claim classifier alone (split + 1 encode + score)", tuple(medians))


def by_split(variants: dict[str, Sequence[Outcome]], policy: GovernancePolicy) -> dict[str, Any]:
    """Per split and variant: leaks, benign altered, and the gate's P/R/F1/FPR."""
    table: dict[str, Any] = {}
    for name, outcomes in variants.items():
        for split in sorted({o.item.split for o in outcomes}):
            chosen = [o for o in outcomes if o.item.split == split]
            counts = Counts()
            for o in chosen:
                counts = counts.add(o.item.label == "violating", o.plain.action != "pass")
            table.setdefault(split, {})[name] = {
                "violating": sum(o.item.label == "violating" for o in chosen),
                "reached_client": [o.item.id for o in chosen
                                   if o.item.label == "violating" and reached(o, o.plain, policy)],
                "benign": sum(o.item.label == "benign" for o in chosen),
                "blocked_or_altered": [o.item.id for o in chosen
                                       if o.item.label == "benign" and altered(o.plain)],
                **counts.as_dict(),
            }
    return table


def markdown(result: dict[str, Any], outcomes: dict[str, Outcome]) -> str:
    """The report section: the per-split table, latency, what still leaks, what it blocks."""
    lines = ["## With the claim classifier (gate level)", "",
             f"Classifier `{result['version']}`: {result['card']}. Every recorded turn was "
             "judged by `Gate.check` (guardrails engine) without and with it; see "
             "`evals/governance/semantic.py` for why this part is gate-level.", "",
             "| split | variant | violating that reached the client | benign blocked or altered "
             "| precision / recall / F1 | FPR |", "| --- | --- | --- | --- | --- | --- |"]
    for split, row in result["by_split"].items():
        for name in VARIANTS:
            r = row[name]
            lines.append(f"| {split} | {name} | {len(r['reached_client'])} of {r['violating']} | "
                         f"{len(r['blocked_or_altered'])} of {r['benign']} | {r['precision']:.3f} / "
                         f"{r['recall']:.3f} / {r['f1']:.3f} | {r['false_positive_rate']:.2%} |")
    lines += ["", "| latency per answer (ms) | p50 | p99 | max |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {v['p50']:.3f} | {v['p99']:.3f} | {v['max']:.3f} |"
              for name, v in result["latency_ms"].items()]
    for title, key in (("Violating outputs that still reach the client, with the classifier",
                        "reached_client"),
                       ("Benign outputs blocked or altered, with the classifier", "blocked_or_altered")):
        lines += ["", f"### {title}", ""]
        ids = [i for row in result["by_split"].values() for i in row[VARIANTS[1]][key]]
        lines += [f"- `{i}` ({outcomes[i].item.split}, {outcomes[i].item.category}): "
                  f"{outcomes[i].draft!r} -> {outcomes[i].plain.action}" for i in ids] or ["None."]
    return "\n".join(lines) + "\n"

