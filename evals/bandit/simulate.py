"""Does the offer scorer learn, and does it beat a weekly batch model when tastes drift?

    .venv/bin/python -m evals.bandit.simulate [--seeds 1 2 3 4 5 6] [--days 112] [--workers 2]

Runs the synthetic world of `world.py` once per seed (seeds in parallel), every policy
of `policies.py` in lockstep, then measures the scorer's latency, and writes
`report.md`, `report.json` and the figure (`cumulative.png`, or `.svg` without
matplotlib) next to this file. Seed 0 was used to choose the scorer's learning rate
and exploration and the batch model's window; the default seeds leave it out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from gateway.decisioning import ArbitrationPolicy, FeedbackEvent, OfferScorer, Outcome
from gateway.policy.loader import load_policy_set
from gateway.settings import PROJECT_ROOT

from .plot import plot
from .report import write_markdown
from .run import SeedResult, run_seed
from .world import World, WorldConfig

HERE = Path(__file__).resolve().parent


def interval(values: NDArray[np.float64]) -> tuple[float, float]:
    """Mean and the half-width of its 95% t-interval over seeds."""
    n = values.size
    if n < 2:
        return float(values.mean()), float("nan")
    half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return float(values.mean()), float(half)


def summarise(results: list[SeedResult], rounds_per_day: int) -> dict[str, Any]:
    names = results[0].names
    realized = np.stack([r.realized for r in results])  # seeds × policies × rounds
    expected = np.stack([r.expected for r in results])
    regret = expected[:, :1, :] - expected  # against the oracle, row 0
    fortnight = 14 * rounds_per_day
    policies = {}
    for k, name in enumerate(names):
        policies[name] = {
            "cumulative_reward": interval(realized[:, k].sum(axis=1)),
            "expected_reward": interval(expected[:, k].sum(axis=1)),
            "regret": interval(regret[:, k].sum(axis=1)),
            "share_of_oracle": interval(expected[:, k].sum(axis=1) / expected[:, 0].sum(axis=1)),
            "regret_per_round_first_2_weeks": interval(regret[:, k, :fortnight].mean(axis=1)),
            "regret_per_round_last_2_weeks": interval(regret[:, k, -fortnight:].mean(axis=1)),
            "per_seed_reward": realized[:, k].sum(axis=1).round(2).tolist(),
        }
    curves = {
        "reward": {n: _band(np.cumsum(realized[:, k], axis=1)) for k, n in enumerate(names)},
        "regret": {n: _band(np.cumsum(regret[:, k], axis=1)) for k, n in enumerate(names) if k},
    }
    return {"policies": policies, "comparisons": _paired(names, expected, rounds_per_day),
            "curves": curves, "ope": _ope(results)}  # fmt: skip


PAIRS = (("online bandit", "weekly batch"), ("online bandit", "no learning (value only)"),
         ("weekly batch", "no learning (value only)"))  # fmt: skip


def _paired(names: tuple[str, ...], expected: NDArray[np.float64], rounds_per_day: int) -> dict[str, Any]:
    """Differences seed by seed: the policies met the same rounds, so the pairs share their luck."""
    last = 28 * rounds_per_day
    out = {}
    for a, b in PAIRS:
        i, j = names.index(a), names.index(b)
        total = expected[:, i].sum(axis=1) - expected[:, j].sum(axis=1)
        out[f"{a} vs {b}"] = {
            "expected_margin_difference": interval(total),
            "relative_difference": interval(total / expected[:, j].sum(axis=1)),
            "per_decision_difference_last_4_weeks": interval(
                expected[:, i, -last:].mean(axis=1) - expected[:, j, -last:].mean(axis=1)
            ),
        }
    return out


def _band(curves: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    n = curves.shape[0]
    half = stats.t.ppf(0.975, n - 1) * curves.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else 0 * curves[0]
    return curves.mean(axis=0), half


def _ope(results: list[SeedResult]) -> dict[str, Any]:
    per_seed = {r.seed: r.ope for r in results}
    summary = {}
    for name in ("ips", "snips", "dr"):
        errors = np.array([s[name]["value"] - s["truth"]["value"] for s in per_seed.values()])
        covered = sum(
            abs(s[name]["value"] - s["truth"]["value"]) <= 1.96 * s[name]["stderr"] for s in per_seed.values()
        )
        summary[name] = {"mean_error": float(errors.mean()), "mean_abs_error": float(np.abs(errors).mean()),
                         "truth_within_95pct_interval": f"{covered}/{len(per_seed)}"}  # fmt: skip
    return {"per_seed": per_seed, "summary": summary}


def latency(snapshot: bytes, policy: ArbitrationPolicy, config: WorldConfig, calls: int) -> dict[str, Any]:
    """rank() and learn() on the trained scorer with exactly 20 candidates per request."""
    policies = load_policy_set(PROJECT_ROOT / "policies")
    scorer = OfferScorer.restore(snapshot, policy=policy, margins=policies.margins)
    world = World(replace(config, min_candidates=20, max_candidates=20), seed=99,
                  margins=policies.margins, program=policies.program)  # fmt: skip
    rounds = [world.draw_round(t) for t in range(calls)]
    wall, cpu, learn = [], [], []
    for rnd in rounds:
        offers = [world.offers[i] for i in rnd.candidates]
        w0, c0 = time.perf_counter(), time.thread_time()
        ranking = scorer.rank(rnd.context, offers)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.thread_time() - c0)
        chosen = ranking.offers[0].offer.offer_id
        event = FeedbackEvent(ranking.record(rnd.context), chosen, Outcome.DISMISSED)
        w0 = time.perf_counter()
        scorer.learn(event)
        learn.append(time.perf_counter() - w0)
    return {
        "candidates": 20, "calls": calls, "load_average_1m": round(os.getloadavg()[0], 2),
        "rank_wall_ms": _percentiles_ms(wall),
        "rank_cpu_ms": _percentiles_ms(cpu),
        "learn_wall_ms": _percentiles_ms(learn),
    }  # fmt: skip


def _percentiles_ms(seconds: list[float]) -> dict[str, float]:
    return {f"p{q}": round(float(np.percentile(seconds, q)) * 1000, 3) for q in (50, 99)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--days", type=int, default=112)
    parser.add_argument("--rounds-per-day", type=int, default=100)
    parser.add_argument("--ope-days", type=int, default=28)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    config = WorldConfig(days=args.days, rounds_per_day=args.rounds_per_day)
    policy = ArbitrationPolicy()
    loaded = load_policy_set(PROJECT_ROOT / "policies")
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [
            pool.submit(
                run_seed, s, config, policy, loaded.margins, program=loaded.program, ope_days=args.ope_days
            )
            for s in args.seeds
        ]
        results = [f.result() for f in futures]
    summary = summarise(results, config.rounds_per_day)
    timing = latency(results[0].snapshot, policy, config, calls=3000)
    curves = summary["curves"]
    figure = plot(curves["reward"], curves["regret"], config.rounds_per_day, args.out / "cumulative")
    report = {
        "config": asdict(config), "seeds": args.seeds, "ope_days": args.ope_days,
        "policy": json.loads(policy.model_dump_json()),
        "policies": summary["policies"], "comparisons": summary["comparisons"], "ope": summary["ope"],
        "latency": timing, "figure": figure.name, "run_seconds": round(time.perf_counter() - started, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "library": f"vowpalwabbit=={version('vowpalwabbit')}",
    }  # fmt: skip
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    write_markdown(report, args.out / "report.md")
    print(f"wrote {args.out / 'report.md'} and {figure} in {report['run_seconds']} s")


if __name__ == "__main__":
    main()
