"""Drive every labelled output through the real gateway and report what reached the client.

    .venv/bin/python -m evals.governance.run [--limit N] [--out DIR]
                                             [--holdout FILE ...] [--only-holdout]

`--holdout FILE`: an extra labelled file (`.jsonl`, one item per line, or `.yaml`),
scored as its own split ("holdout-5" when the name says so, else "extra"); see
`dataset.load_extra_items`. The committed set never reads a holdout-5 file itself.

1. A temporary demo gateway (`harness.EvalGateway`): 30 seeded households, a freshly
   trained intent model, Redis database 12 (flushed), a loopback upstream as the
   hosted LLM, `create_app(settings)` served by uvicorn on loopback.
2. A few members (not top tier, with expiring points); each item is filled with the
   real facts of one of them (`members.py`) and becomes the upstream's reply to an
   open question, asked with the `openai` SDK twice: whole and streamed.
3. The gate alone is timed per answer on the drafts and contexts of the audit log.
3b. Unless `--no-semantic`: the claim classifier is trained (dev, holdout-1, holdout-2 only)
   into the temporary models folder, and every recorded turn is judged again by `Gate.check`
   without and with it (gate level: see `semantic.py`), per split, with its own latency.
4. `report.md`, `report.json` and `results.jsonl` (every item: the draft, what reached
   the client whole and streamed, the verdict) are written next to this file (or `--out`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.offline import enforce_offline

if TYPE_CHECKING:
    from evals.governance.dataset import Item
    from evals.governance.harness import EvalGateway
    from evals.governance.members import EvalMember
    from evals.governance.scoring import Outcome
    from evals.governance.timing import RecordedTurn
    from gateway.policy.loader import PolicySet

HERE = Path(__file__).resolve().parent
_OFFER_ID = re.compile(r"OFR-[\w-]+")
POOL_SIZE = 4


def main(argv: list[str] | None = None) -> int:
    enforce_offline()  # before litellm, transformers and guardrails are imported
    from evals.governance import report
    from evals.governance.dataset import OPEN_QUESTION, load_extra_items, load_items
    from evals.governance.harness import EvalGateway
    from evals.governance.timing import recorded_turns, time_gate
    from gateway.policy.loader import load_policy_set
    from gateway.settings import PROJECT_ROOT

    args = _arguments(argv)
    started = time.perf_counter()
    items = [] if args.only_holdout else load_items()
    for path in args.holdout:
        items += load_extra_items(path)
    items = items[: args.limit] if args.limit else items
    if args.only_holdout and args.out == HERE:
        args.out = HERE / "holdout-report"  # the committed report stays the full set's
    policies = load_policy_set(PROJECT_ROOT / "policies")
    with tempfile.TemporaryDirectory(prefix="gov-eval-") as tmp:
        with EvalGateway(Path(tmp)) as gateway:
            members = _members(gateway, OPEN_QUESTION)
            print(f"{len(items)} items, each asked whole and streamed", file=sys.stderr)
            outcomes = [_run_item(gateway, item, members[n % len(members)])
                        for n, item in enumerate(items)]
        turns = asyncio.run(recorded_turns(gateway.audit_url,
                                           [o.plain.decision_id for o in outcomes]))
        extra = None if args.no_semantic else _semantic_part(outcomes, turns, policies, Path(tmp))
    latencies = asyncio.run(time_gate(turns, policies.governance, policies.version))
    meta = {"generated": datetime.now(UTC).isoformat(timespec="seconds"),
            "policy_version": policies.version, "members": [m.member_id for m in members],
            "runtime_s": time.perf_counter() - started,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                       f"Python {platform.python_version()}"}
    result = report.build(outcomes, latencies, policies.governance, meta)
    markdown = report.markdown(result)
    if extra is not None:
        result["semantic"], section = extra
        markdown = f"{markdown.rstrip()}\n\n{section}"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    (args.out / "report.md").write_text(markdown, encoding="utf-8")
    with (args.out / "results.jsonl").open("w", encoding="utf-8") as rows:
        for row in report.item_rows(outcomes):
            rows.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(report.markdown(result).split("\n## ")[0])
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N items (a smoke run)")
    parser.add_argument("--out", type=Path, default=HERE, help="where the reports go")
    parser.add_argument("--holdout", type=Path, action="append", default=[],
                        help="an extra labelled file (.jsonl or .yaml), scored as its own split")
    parser.add_argument("--only-holdout", action="store_true",
                        help="only the --holdout files, not the committed set")
    parser.add_argument("--no-semantic", action="store_true",
                        help="skip the claim classifier's gate-level comparison")
    return parser.parse_args(argv)


def _semantic_part(outcomes: list[Outcome], turns: list[RecordedTurn], policies: PolicySet,
                   workdir: Path) -> tuple[dict[str, Any], str]:
    """Train the claim classifier, judge every turn without and with it, time it alone."""
    from evals.governance import semantic
    from evals.governance.dataset import DATA_DIR
    from evals.governance.timing import time_gate
    from gateway.governance import Gate, load_claim_classifier, train_claim_classifier
    from gateway.smallmodel import load_embedder

    embedder = load_embedder()
    trained = train_claim_classifier(DATA_DIR, workdir / "models", embedder)
    classifier = load_claim_classifier(workdir / "models", embedder)
    gov, version = policies.governance, policies.version
    variants = {name: asyncio.run(semantic.gate_outcomes(outcomes, turns, Gate(
        gov, version, semantic=classifier if name != "rules" else None)))
        for name in semantic.VARIANTS}
    with_classifier = asyncio.run(time_gate(turns, gov, version, semantic=classifier))
    alone = semantic.semantic_latency(turns, gov, classifier)
    result = {"version": trained.version, "threshold": trained.threshold,
              "card": f"threshold {trained.threshold:.3f}, C {trained.c:g}, cross-validated on "
                      f"the training items: item recall {trained.metrics['cv_item_recall']:.3f}, "
                      f"benign items flagged {trained.metrics['cv_item_fpr']:.2%}",
              "cv_metrics": trained.metrics,
              "by_split": semantic.by_split(variants, gov),
              "latency_ms": {lat.name: {"p50": lat.p50, "p99": lat.p99, "max": lat.max}
                             for lat in [alone, *with_classifier[1:]]}}
    by_id = {o.item.id: o for o in variants[semantic.VARIANTS[1]]}
    return result, semantic.markdown(result, by_id)


def _members(gateway: EvalGateway, question: str) -> list[EvalMember]:
    from evals.governance.members import candidate_ids, member_facts

    chosen = []
    for member_id in candidate_ids(gateway.db, 12):
        member = member_facts(gateway.db, member_id, gateway.probe(member_id, question))
        if member is not None:
            chosen.append(member)
        if len(chosen) == POOL_SIZE:
            return chosen
    if not chosen:
        raise RuntimeError("no seeded member has two candidate offers to evaluate with")
    return chosen


def _run_item(gateway: EvalGateway, item: Item, member: EvalMember) -> Outcome:
    from evals.governance.dataset import fill
    from evals.governance.harness import system_prompt
    from evals.governance.members import offer_facts
    from evals.governance.scoring import Outcome

    drafts: list[str] = []

    def reply(body: Mapping[str, Any]) -> str:
        # Filled on the server's thread, from the offers the gateway put in this prompt.
        facts = {**member.facts, **offer_facts(gateway.db, system_prompt(body))}
        drafts.append(fill(item.text, facts))
        return drafts[-1]

    asked = [gateway.ask(member.member_id, item.channel, item.user_text, reply, stream=stream)
             for stream in (False, True)]
    if len({_OFFER_ID.sub("OFR", d) for d in drafts}) != 1:
        # Offer decisioning may pick other candidates for the second turn; anything else differing
        # means the turns were not the same item.
        raise RuntimeError(f"{item.id}: the two turns were given different drafts: {drafts}")
    return Outcome(item, member.member_id, drafts[0], asked[0], asked[1])


if __name__ == "__main__":
    raise SystemExit(main())
