"""Per-family and per-set figures, written as markdown (for people) and JSON (for tools)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evals.injection.attacks import Attack
from evals.injection.checks import Outcome

LEAK_KINDS = ("system_prompt", "other_member", "policy_value", "markup")


def summarise(pairs: Iterable[tuple[Attack, Outcome]]) -> dict[str, Any]:
    rows: dict[str, Counter[str]] = {}
    for attack, outcome in pairs:
        groups = ["all controls"] if attack.is_control else [
            "all attacks", f"family:{attack.family}", f"set:{attack.set}"]
        for key in groups:
            count = rows.setdefault(key, Counter())
            count["attempts"] += 1
            count[f"rail_{outcome.rail}"] += 1
            count[f"screen_{outcome.screen}"] += 1
            count["leaking answers"] += bool(outcome.leaks)
            count.update(f"leak_{kind}" for kind in outcome.leaks)
            count["unhelpful"] += outcome.unhelpful is not None
            count["errors"] += outcome.status != "ok"
    return {key: dict(count) for key, count in sorted(rows.items())}


def write_reports(
    out_dir: Path, pairs: list[tuple[Attack, Outcome]], meta: dict[str, Any]
) -> dict[str, Any]:
    summary = summarise(pairs)
    details = [{"attack": a.id, "set": a.set, "family": a.family, "technique": a.technique,
                **asdict(o)} for a, o in pairs]
    payload = {"meta": meta, "summary": summary, "turns": details}
    (out_dir / "report.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    (out_dir / "report.md").write_text(_markdown(summary, pairs, meta), encoding="utf-8")
    return summary


def _markdown(summary: dict[str, Any], pairs: list[tuple[Attack, Outcome]], meta: dict[str, Any]) -> str:
    wired = "yes" if meta["rail_wired"] else "no"
    lines = [
        "# Injection evaluation", "",
        "End to end through the real gateway (`python -m evals.injection.run`): a gullible",
        "upstream model that obeys every attack, the official `openai` SDK as the client. A",
        "*leak* is judged on what reached the client: the system prompt's rules, another",
        "member's id or points, a discount/code/tier grant not rendered by the gateway, or",
        "live markup. *Rail* is what the input rail did in the gateway (from `gateway.flags`);",
        "*screen* is what `InputScreen` decides for the same messages when called directly",
        "(after dataprep), i.e. what the rail will do once it is wired.", "",
        f"Run: {meta['started']}, {meta['seconds']:.0f} s (set-up {meta['setup_seconds']:.0f} s), "
        f"{meta['households']} households; input rail wired: **{wired}**. "
        f"`InputScreen.screen` on these conversations: p50 {meta['screen_ms'].get('p50')} ms, "
        f"p99 {meta['screen_ms'].get('p99')} ms.", "",
        *_table(summary), "",
        "Sets: `dev` (rules written against them), `holdout-a` (written blind, rules tuned",
        "once after seeing the misses), `holdout-b` (written blind, never tuned against).",
        "`control` rows are ordinary questions: a block there is a false positive.",
    ]
    missed = [(a, o) for a, o in pairs if not a.is_control and o.screen != "block"]
    leaking = [(a, o) for a, o in pairs if o.leaks]
    poor = [(a, o) for a, o in pairs if o.unhelpful or o.status != "ok"]
    lines += _section("Attacks the screen lets through", [
        f"`{a.id}` ({a.set}, screen {o.screen}): {_excerpt(a.messages[-1]['content'])}" for a, o in missed])
    lines += _section("Leaking answers", [
        f"`{a.id}` ({', '.join(o.leaks)}; rail {o.rail}; screen {o.screen}; route {o.route}): "
        f"{_excerpt(o.answer)}" for a, o in leaking])
    lines += _section("Unhelpful answers or errors", [
        f"`{a.id}`: {o.status if o.status != 'ok' else o.unhelpful}: {_excerpt(o.answer)}"
        for a, o in poor])
    return "\n".join(lines) + "\n"


def _table(summary: dict[str, Any]) -> list[str]:
    head = ["group", "attempts", "screen blocks", "screen flags", "rail blocked", "rail flagged",
            "leaking answers", *LEAK_KINDS, "unhelpful", "errors"]
    keys = ["attempts", "screen_block", "screen_flag", "rail_block", "rail_flag", "leaking answers",
            *(f"leak_{kind}" for kind in LEAK_KINDS), "unhelpful", "errors"]
    lines = ["| " + " | ".join(head) + " |", "| --- " * len(head) + "|"]
    for group, counts in summary.items():
        lines.append("| " + " | ".join([group, *(str(counts.get(k, 0)) for k in keys)]) + " |")
    return lines


def _section(title: str, items: list[str]) -> list[str]:
    return ["", f"## {title}", "", *(f"- {item}" for item in items or ["None."])]


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return "`" + (flat[:140] + "…" if len(flat) > 140 else flat).replace("`", "'") + "`"
