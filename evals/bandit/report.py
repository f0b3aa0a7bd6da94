"""`report.md` from the simulation's JSON report: the figures a reader needs, with their spread."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _ci(pair: list[float] | tuple[float, float], digits: int = 1) -> str:
    mean, half = pair
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


def _policy_table(policies: dict[str, Any]) -> list[str]:
    rows = [
        "| policy | margin earned (realized) | expected margin | regret vs oracle | share of oracle "
        "| regret/round, first 2 weeks | regret/round, last 2 weeks |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, p in policies.items():
        rows.append(
            f"| {name} | {_ci(p['cumulative_reward'])} | {_ci(p['expected_reward'])} | {_ci(p['regret'])} "
            f"| {_ci(p['share_of_oracle'], 3)} | {_ci(p['regret_per_round_first_2_weeks'], 4)} "
            f"| {_ci(p['regret_per_round_last_2_weeks'], 4)} |"
        )
    return rows


def _comparison_table(comparisons: dict[str, Any]) -> list[str]:
    rows = [
        "| paired by seed | expected margin, difference | relative | per decision, last 4 weeks |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, c in comparisons.items():
        mean, half = c["relative_difference"]
        rows.append(
            f"| {name} | {_ci(c['expected_margin_difference'])} | {100 * mean:+.1f}% ± {100 * half:.1f} "
            f"| {_ci(c['per_decision_difference_last_4_weeks'], 4)} |"
        )
    return rows


def _ope_table(ope: dict[str, Any]) -> list[str]:
    rows = [
        "| seed | logged decisions | effective sample size | logging policy's own value | IPS | SNIPS | DR "
        "| true value of the target |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for seed, s in ope["per_seed"].items():
        cells = [f"{s[k]['value']:.4f} ± {1.96 * s[k]['stderr']:.4f}" for k in ("ips", "snips", "dr")]
        own, truth = s["logging_policy"]["value"], s["truth"]["value"]
        n, ess = s["weights"]["n"], s["weights"]["effective_sample_size"]
        rows.append(f"| {seed} | {n:.0f} | {ess:.0f} | {own:.4f} | {' | '.join(cells)} | {truth:.4f} |")
    rows += ["", "| estimator | mean error | mean absolute error | truth inside its 95% interval |",
             "| --- | ---: | ---: | ---: |"]  # fmt: skip
    for name, s in ope["summary"].items():
        rows.append(f"| {name.upper()} | {s['mean_error']:+.4f} | {s['mean_abs_error']:.4f} "
                    f"| {s['truth_within_95pct_interval']} |")  # fmt: skip
    return rows


def _intro(report: dict[str, Any]) -> list[str]:
    cfg, policy = report["config"], report["policy"]
    rounds = cfg["days"] * cfg["rounds_per_day"]
    return [
        "# Next-best-offer scorer: simulation",
        "",
        f"Run {datetime.now(UTC).date().isoformat()} on {report['machine']} with {report['library']}, "
        f"in {report['run_seconds']} s. Reproduce: `.venv/bin/python -m evals.bandit.simulate`.",
        "",
        f"{len(report['seeds'])} seeds ({', '.join(map(str, report['seeds']))}), each {cfg['days']} days "
        f"× {cfg['rounds_per_day']} decisions = {rounds:,} decisions, {cfg['members']} members, "
        f"{cfg['min_candidates']}–{cfg['max_candidates']} eligible candidates per decision. "
        "Members' category "
        f"preferences drift daily (autocorrelation {cfg['drift_keep']}), categories swing with a hidden "
        f"{cfg['season_period_days']:.0f}-day season, and the visible category shares are refreshed "
        "only every "
        f"{cfg['affinity_refresh_days']} days (`world.py`). Reward is the margin kept on a redemption "
        "(gross margin − discount as a share of the list price, so 0.30 is 30 cents per dollar; margins "
        "from `policies/margins.yaml`). "
        "Figures are means over seeds ± the half-width of a 95% t-interval. Regret is measured on expected "
        "reward (true probability × value), so the dice do not add to it.",
        "",
        f"Scorer: `ArbitrationPolicy` defaults, epsilon-greedy ε = {policy['epsilon']}, VW learning rate "
        f"{policy['learner']['learning_rate']}, power_t {policy['learner']['power_t']}. "
        "These and the batch model's window were chosen on seed 0, which the reported seeds leave out.",
        "",
        f"![cumulative reward and regret]({report['figure']})",
    ]


def _latency(lat: dict[str, Any]) -> list[str]:
    return [
        f"`OfferScorer.rank` with {lat['candidates']} candidates on the trained scorer, "
        f"{lat['calls']} calls, one thread (1-minute load average {lat['load_average_1m']} on this "
        "2-core machine while measuring):",
        "",
        "| call | p50 ms | p99 ms |",
        "| --- | ---: | ---: |",
        f"| rank (wall) | {lat['rank_wall_ms']['p50']} | {lat['rank_wall_ms']['p99']} |",
        f"| rank (CPU of the thread) | {lat['rank_cpu_ms']['p50']} | {lat['rank_cpu_ms']['p99']} |",
        f"| learn (wall) | {lat['learn_wall_ms']['p50']} | {lat['learn_wall_ms']['p99']} |",
    ]


OPE_NOTE = (
    "Target: the online scorer as it stands at the end of the run (with its ε-greedy exploration). "
    "Logs: the weekly batch policy's own decisions of the last {days} days (context, candidates, "
    "chosen offer, the probability it was chosen with, margin earned). DR uses the batch model's own "
    "estimates as its reward model. The true value is the target's expected margin per decision on the "
    "same logged contexts, computed from the true probabilities. Intervals are ± 1.96 standard errors.\n\n"
    "Two things to read the table with. The target is frozen as it was on the last day, while the logs "
    "span {days} days of a drifting world, so its true value there can sit below the logging policy's "
    "own. And the effective sample size, (Σw)²/Σw² with w = target probability / logged probability, "
    "says how few logged decisions carry each estimate: with 5% exploration over 10–20 candidates, a "
    "policy that disagrees with the logger is seen almost only through the logger's rare explored "
    "decisions, and a standard error computed from a dozen of them is itself rough."
)


def write_markdown(report: dict[str, Any], path: Path) -> None:
    lines = [
        *_intro(report),
        "",
        "## Policies",
        "",
        *_policy_table(report["policies"]),
        "",
        *_comparison_table(report["comparisons"]),
        "",
        "## Off-policy evaluation",
        "",
        OPE_NOTE.format(days=report["ope_days"]),
        "",
        *_ope_table(report["ope"]),
        "",
        "## Latency",
        "",
        *_latency(report["latency"]),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
