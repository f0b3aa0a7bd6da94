"""Event freshness end to end: from an event accepted to the next answer and the next offer
that reflect it, with the whole gateway under a background event load.

    .venv/bin/python -m evals.freshness.e2e [--seconds 45] [--rate 400] [--households 100]

The issue's definition: "an event is reflected in the next answer and the next offer
within 50 ms at p99". The gateway (`evals/offers_latency/demo.py`: seeded households,
trained intent model, no hosted LLM, Redis database 7, flushed first) is served by
one uvicorn process, its event consumer in the same event loop as in production.
Two other processes run at once: the background load of `load.py` (open loop,
`--rate` events/s over 2,000 members), and the probe of `probe.py`, which posts one
event for a seeded member and asks the read path until the answer reflects it.
Writes `report_e2e.md` and `report_e2e.json` next to this file.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sqlite3
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from evals.freshness.load import Load, run_load
from evals.freshness.probe import Probe, run_probe
from evals.offers_latency.demo import build, machine, percentiles
from gateway.policy.loader import load_policy_set
from gateway.settings import PROJECT_ROOT
from tests.support.serving import ServedApp

HERE = Path(__file__).resolve().parent
REDIS_URL = "redis://127.0.0.1:6379/7"
TARGET_P99_MS = 50.0
SERIES = {
    "answer": "purchase → next chat answer (small model, points balance)",
    "offers_purchase": "purchase → next `GET offers` (context.points)",
    "offers_store": "store_entered → next `GET offers` (context.store_id)",
}


def measure(seconds: float, rate: float, households: int, delays: tuple[float, ...]) -> dict[str, Any]:
    rate_per_dollar = int(load_policy_set(PROJECT_ROOT / "policies").program.points.points_per_dollar)
    with tempfile.TemporaryDirectory(prefix="lg-fresh-e2e-") as folder:
        demo = build(Path(folder), households=households, redis_url=REDIS_URL)
        members = tuple((m, p) for m, p in demo.members if p > 0)
        with sqlite3.connect(demo.settings.member_db_url.removeprefix("sqlite:///")) as db:
            stores = tuple(str(r[0]) for r in db.execute("SELECT store_id FROM stores ORDER BY 1"))
        with ServedApp(demo.app) as served:
            load = Load(url=served.url, redis_url=REDIS_URL, seconds=seconds, rate=rate, producers=4,
                        batch=10, probe_every_s=1.0)  # fmt: skip
            probe = Probe(served.url, members, stores, seconds - 2, rate_per_dollar, delays_ms=delays)
            before = os.getloadavg()[0]
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
                background = pool.submit(run_load, load)
                probed = pool.submit(run_probe, probe)
                probes = probed.result(timeout=seconds + 180)
                offered = background.result(timeout=seconds + 180)
            after = os.getloadavg()[0]
    return {
        "seconds": seconds, "rate": rate, "households": households, "probe_members": len(members),
        "background": {k: v for k, v in offered.items() if not k.endswith("_ms")}
        | {"offered_events_per_s": round(offered["sent"] / offered["elapsed_s"], 1),
           "post_ms": percentiles(offered["post_ms"])},
        "probes": {name: _series(probes[name]) for name in SERIES},
        "at_delay": probes["at_delay"],
        "probe_errors": probes["errors"],
        "load_average_1m": [round(before, 2), round(after, 2)],
    }  # fmt: skip


def _series(s: dict[str, Any]) -> dict[str, Any]:
    n = len(s["reflected_ms"])
    return {
        "reflected_ms": percentiles(s["reflected_ms"]),
        "issued_ms": percentiles(s["issued_ms"]),
        "sent_to_reflected_ms": percentiles(s["sent_to_reflected_ms"]),
        "read_ms": percentiles(s["read_ms"]),
        "first_try_share": round(s["first_try"] / n, 4) if n else 0.0,
        "requests_per_probe": round(s["requests"] / max(1, n + s["not_seen"]), 3),
        "stage_ms_p50": {k: percentiles(v).get("p50") for k, v in s["stage_ms"].items()},
        "not_seen": s["not_seen"],
    }


def rerender() -> None:
    """`report_e2e.md` again from `report_e2e.json` (after a change of wording only)."""
    results = json.loads((HERE / "report_e2e.json").read_text())
    (HERE / "report_e2e.md").write_text(render(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--rate", type=float, default=400, help="background events per second")
    parser.add_argument("--households", type=int, default=100)
    parser.add_argument("--delays", default="0,10,25,50", help="fixed delays (ms) of the staleness probes")
    args = parser.parse_args()
    delays = tuple(float(d) for d in args.delays.split(","))
    if not 10 <= args.seconds <= 300 or not 0 < args.rate <= 5_000:
        parser.error("keep it bounded: 10-300 seconds, up to 5000 events/s")
    results = {"machine": machine(REDIS_URL), "target_p99_ms": TARGET_P99_MS,
               "run": measure(args.seconds, args.rate, args.households, delays)}  # fmt: skip
    (HERE / "report_e2e.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "report_e2e.md").write_text(render(results))
    print((HERE / "report_e2e.md").read_text())


def render(results: dict[str, Any]) -> str:
    box, run = results["machine"], results["run"]
    bg = run["background"]
    lines = [
        "# Event freshness, end to end: the next answer and the next offer",
        "",
        f"Measured {box['date']} on {box['cpu']} ({box['cores']} cores, {box['arch']}), Python "
        f"{box['python']}, Redis {box['redis']} on loopback (database 7); 1-minute load average "
        f"{run['load_average_1m'][0]} before, {run['load_average_1m'][1]} after. Reproduce: "
        f"`.venv/bin/python -m evals.freshness.e2e --seconds {run['seconds']:.0f} --rate {run['rate']:.0f}"
        f" --delays {','.join(f'{d:g}' for d in sorted(int(k) for k in _delays(run)))}`.",
        "",
        f"One uvicorn process serves the whole gateway ({run['households']} seeded households, no hosted "
        "LLM, event consumer in its event loop). Background: "
        f"{bg['offered_events_per_s']:.0f} events/s offered by a second process for {run['seconds']:.0f} s "
        f"(accepted {bg['accepted']:,}, HTTP errors {bg['errors']}). A third process probes: one event "
        "for a seeded member, then the read path is asked back to back until an answer reflects it "
        f"(probe errors: {run['probe_errors'] or 'none'}).",
        "",
        f"Target: an event reflected in the next answer and the next offer within {TARGET_P99_MS:.0f} ms "
        "at p99, from the event's acceptance (its 200 at the client).",
        "",
        "| event → read path | probes | measure | p50 ms | p90 ms | p99 ms | max ms |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, title in SERIES.items():
        s = run["probes"][name]
        for key, what in (("reflected_ms", "**accepted → reflecting answer received**"),
                          ("issued_ms", "accepted → reflecting request sent"),
                          ("sent_to_reflected_ms", "event POST sent → reflecting answer received"),
                          ("read_ms", "one read request (every poll)")):  # fmt: skip
            p = s[key]
            if p.get("n"):
                lines.append(f"| {title} | {s['reflected_ms'].get('n', 0):,} | {what} | {p['p50']:.2f} | "
                             f"{p['p90']:.2f} | {p['p99']:.2f} | {p['max']:.2f} |")  # fmt: skip
    lines += _at_delay_table(run.get("at_delay", {}))
    stages = run["probes"]["answer"]["stage_ms_p50"]
    split = ", ".join(f"{k} {v:.1f}" for k, v in stages.items() if v is not None)
    lines += ["", *(_verdict(name, run["probes"][name]) for name in SERIES), "",
              f"Where a chat read's time goes (the gateway's own stage timings, p50 ms): {split}.", "",
              *_NOTES]  # fmt: skip
    return "\n".join(lines) + "\n"


def _delays(run: dict[str, Any]) -> set[str]:
    return {d for per_kind in run.get("at_delay", {}).values() for d in per_kind}


def _at_delay_table(at_delay: dict[str, dict[str, list[int]]]) -> list[str]:
    """The direct test: a request sent exactly d ms after acceptance, does it see the event?"""
    if not at_delay:
        return []
    kinds = {"answer": "purchase → next chat answer",
             "offers_purchase": "purchase → next offers", "offers_store": "store_entered → next offers"}
    lines = ["", "Fixed-delay probes: one request sent exactly d ms after the event's acceptance; the share "
             "of answers that already reflect the event (the event's staleness is under d at p99 when "
             "this share is at least 99%):", "",
             "| event → read path | d = 0 ms | d = 10 ms | d = 25 ms | d = 50 ms |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for kind, title in kinds.items():
        cells = []
        for delay in ("0", "10", "25", "50"):  # a delay not probed in this run shows as "-"
            seen, sent = at_delay.get(kind, {}).get(delay, [0, 0])
            cells.append(f"{100 * seen / sent:.1f}% of {sent}" if sent else "-")
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    lines.append("")
    for kind, title in kinds.items():
        seen, sent = at_delay.get(kind, {}).get("50", [0, 0])
        held = sent > 0 and seen / sent >= 0.99
        lines.append(f"- {title}: staleness under {TARGET_P99_MS:.0f} ms at p99 "
                     f"{'**holds**' if held else '**does not hold**'} "
                     f"({seen} of {sent} answers at d = 50 ms).")
    return lines


def _verdict(name: str, s: dict[str, Any]) -> str:
    p99 = s["reflected_ms"].get("p99")
    held = p99 is not None and p99 <= TARGET_P99_MS and not s["not_seen"]
    return (
        f"- {SERIES[name]}: round trip p99 {p99} ms, {'within' if held else 'over'} "
        f"{TARGET_P99_MS:.0f} ms; the first request after acceptance "
        f"already reflected the event in {100 * s['first_try_share']:.1f}% of probes "
        f"({s['requests_per_probe']} requests per probe; not seen within 2 s: {s['not_seen']})."
    )


_NOTES = (
    "How to read it. Two readings of \"reflected in the next answer within 50 ms\" are measured. "
    "(1) Staleness, the fixed-delay table: a request sent d ms after the event's acceptance, does its "
    "answer already reflect the event? When at least 99% of answers at d = 50 ms do, the event is "
    "reflected in the next answer within 50 ms at p99, whatever the read path then costs. This is the "
    "reading the target is checked against. (2) Round trip, the first table: from acceptance until a "
    "reflecting answer is in the client's hands, the consumer's lag plus one whole read path (context, "
    "routing, small model, governance, durable audit write); the probe polls back to back, so when the "
    "first request already reflects the event this is simply one read path. Its p99 is dominated by "
    "the read path's own tail on this 2-core machine, not by the event path. The consumer's own lag "
    "alone, accepted → profile written, is in `report.md` (server clock, every event).",
    "",
    "The background load's store_entered events name members the database does not know, so the "
    "store-notification step logs one warning for each of them, which costs the server some time.",
)


if __name__ == "__main__":
    main()
