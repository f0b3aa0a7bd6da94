"""The gate alone, in-process, on every labelled item: seconds instead of minutes.

    .venv/bin/python -m evals.governance.gatelevel [--holdout FILE ...] [--only-holdout]
                                                   [--classifier] [--show SPLIT]

No server, no seeding: one fixed member (`member_context`), the item filled with
its facts (`FACTS`), `Gate.check` on the rules engine (and, with `--classifier`,
a claim classifier trained on the training splits in a temporary folder). Scored
like the end-to-end run: a violating item reached the client when the gate passed
it or its evidence survived a repair; a benign item was altered when the gate
did anything. The end-to-end run (`run.py`) stays the reference; this is the
quick loop, and the same `--holdout` files work with both.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.offline import enforce_offline

if TYPE_CHECKING:
    from evals.governance.dataset import Item
    from gateway.governance import Gate
    from gateway.turn import MemberContext

FACTS: dict[str, str] = {
    "points": "1,250", "points_raw": "1250", "points_expiring": "275",
    "expire_on": "December 1, 2026", "tier": "Gold", "next_tier": "Platinum",
    "spend_to_next": "$412.37", "spend_to_next_rounded": "$412", "annual_spend": "$3,100.00",
    "last_amount": "$2.89", "last_product": "whole milk 1 gal", "offer_marker": "[[offer:OFR-1042]]",
    "offer_marker2": "[[offer:OFR-1077]]", "offer_id": "OFR-1042", "offer_id2": "OFR-1077",
    "offer_title": "Dairy Days", "offer_pct": "20", "offer_category": "yogurt",
    "offer_valid_until": "December 6, 2026", "foreign_marker": "[[offer:OFR-2001]]",
}


@dataclass(frozen=True)
class Judged:
    item_id: str
    split: str
    label: str
    category: str
    draft: str
    action: str
    shown: str
    codes: tuple[str, ...]

    @property
    def leaked(self) -> bool:
        return self.label == "violating" and self.action == "pass"

    @property
    def altered(self) -> bool:
        return self.label == "benign" and self.action != "pass"


def member_context() -> MemberContext:
    """A Gold member, 1,250 points (275 expiring Dec 1), offers OFR-1042 and OFR-1077."""
    from gateway.turn import Member, MemberContext, Offer, Purchase, RequestMetadata, StoreInfo

    member = Member("M-1", "Gold", 1250, 275, date(2026, 12, 1), 3100.0, "Platinum", 412.37, "S-1")
    milk = Purchase(date(2026, 10, 28), "Whole milk 1 gal", "DAIRY", "Milk", 1, 2.89, "S-1")
    offers = (Offer("OFR-1042", "Dairy Days", "DAIRY", "Yogurt", 20, "Gold", date(2026, 12, 6)),
              Offer("OFR-1077", "Snack Attack", "GROCERY", "Chips", 15, "Silver", date(2026, 11, 30)))
    return MemberContext(member, (milk,), offers, StoreInfo("S-1", "Main Street", "8:00-21:00"),
                         RequestMetadata(store_id="S-1"), datetime(2026, 11, 1, 15, tzinfo=UTC))


async def judge(items: Sequence[Item], gate: Gate) -> list[Judged]:
    from evals.governance.dataset import fill
    from gateway.turn import Channel

    context = member_context()
    judged = []
    for item in items:
        draft = fill(item.text, FACTS)
        verdict = await gate.check(draft, context, Channel(item.channel), user_text=item.user_text)
        action = verdict.action
        if action != "pass" and item.label == "violating":
            evidence = fill(item.evidence, FACTS) if item.evidence else draft
            if item.category != "length" and evidence.lower() in verdict.final_text.lower():
                action = "pass"  # the repair kept the violation: it reached the client
        judged.append(Judged(item.id, item.split, item.label, item.category, draft, action,
                             verdict.final_text, tuple(v.code for v in verdict.violations)))
    return judged


def table(judged: Sequence[Judged]) -> list[str]:
    lines = ["| split | violating that reached the client | benign blocked or altered |",
             "| --- | --- | --- |"]
    for split in sorted({j.split for j in judged}):
        rows = [j for j in judged if j.split == split]
        bad = sum(j.label == "violating" for j in rows)
        good = sum(j.label == "benign" for j in rows)
        lines.append(f"| {split} | {sum(j.leaked for j in rows)} of {bad} | "
                     f"{sum(j.altered for j in rows)} of {good} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    enforce_offline()
    from evals.governance.dataset import load_extra_items, load_items
    from gateway.governance import Gate, load_claim_classifier, train_claim_classifier
    from gateway.policy.governance import load_governance_policy
    from gateway.settings import PROJECT_ROOT

    args = _arguments(argv)
    items = [] if args.only_holdout else load_items()
    for path in args.holdout:
        items += load_extra_items(path)
    policy, version = load_governance_policy(PROJECT_ROOT / "policies" / "governance.yaml")
    with tempfile.TemporaryDirectory(prefix="gov-gate-") as tmp:
        semantic = None
        if args.classifier:
            from evals.governance.dataset import DATA_DIR, SYNTHETIC
            from gateway.smallmodel import load_embedder

            embedder = load_embedder()
            synthetic = SYNTHETIC if args.synthetic else None
            trained = train_claim_classifier(DATA_DIR, Path(tmp), embedder, synthetic=synthetic)
            print(f"classifier: threshold {trained.threshold:.3f}, C {trained.c:g}, "
                  f"cv item recall {trained.metrics['cv_item_recall']:.3f}, "
                  f"cv benign flagged {trained.metrics['cv_item_fpr']:.2%}", file=sys.stderr)
            semantic = load_claim_classifier(Path(tmp), embedder)
        gate = Gate(policy, version, engine="rules", semantic=semantic)
        judged = asyncio.run(judge(items, gate))
    print("\n".join(table(judged)))
    for j in judged:
        if j.split in args.show and (j.leaked or j.altered):
            print(f"{'LEAK' if j.leaked else 'FP  '} {j.item_id} ({j.category}): {j.draft!r} "
                  f"{','.join(j.codes)}", file=sys.stderr)
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", type=Path, action="append", default=[],
                        help="an extra labelled file (.jsonl or .yaml), scored as its own split")
    parser.add_argument("--only-holdout", action="store_true",
                        help="only the --holdout files, not the committed set")
    parser.add_argument("--classifier", action="store_true",
                        help="also train and use the claim classifier")
    parser.add_argument("--synthetic", action="store_true",
                        help="train the classifier with the templated sentences too")
    parser.add_argument("--show", action="append", default=[],
                        help="print the leaks and false positives of this split")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
