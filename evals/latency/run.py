"""Request-path latency and the pipeline's own split of the work, per route.

    .venv/bin/python -m evals.latency.run [--requests 200]

Builds a demo gateway in a temporary folder (30 seeded households, a freshly
trained intent model, the local Redis on database 9, a loopback OpenAI-compatible
upstream that answers at once), serves it with uvicorn on loopback, and sends
sequential requests through the official `openai` SDK for each route: the small
model, the exact cache, the hosted LLM, and the governed fallback. Writes
`evals/latency/report.md` and `report.json` next to this file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import openai
import redis

from gateway.app import create_app
from gateway.policy.loader import load_policy_set
from gateway.seed import seed_demo
from gateway.settings import PROJECT_ROOT, load_settings
from tests.support import Script, UpstreamServer
from tests.support.models import train_serving_models
from tests.support.serving import ServedApp

HERE = Path(__file__).resolve().parent
REDIS_URL = "redis://127.0.0.1:6379/9"
STAGES = ("dataprep", "context", "routing", "generation", "governance", "audit")
# The reference split of orchestration work in seed article 003 (percent).
REFERENCE = {
    "routing": 29,
    "governance": 22,
    "context": 19,
    "monitoring": 14,
    "policy": 8,
    "dataprep": 5,
    "audit": 3,
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))
    return ordered[index]


def build(tmp: Path, upstream: UpstreamServer) -> tuple[Any, list[str]]:
    policies = load_policy_set(PROJECT_ROOT / "policies")
    db = tmp / "loyalty.db"
    seed_demo(db, program=policies.program, margins=policies.margins, households=30, progress=False)
    models = train_serving_models(tmp / "models")
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings = load_settings(
        _env_file=None,
        data_dir=tmp,
        database_url=f"sqlite:///{db}",
        audit_url=f"sqlite:///{tmp / 'audit.db'}",
        redis_url=REDIS_URL,
        models_dir=tmp / "models",
        llm_model="bench-model",
        llm_api_base=upstream.base_url,
        llm_api_key="k",
    )
    import sqlite3

    with sqlite3.connect(db) as conn:
        members = [str(r[0]) for r in conn.execute("SELECT member_id FROM members ORDER BY member_id")]
    return create_app(settings, models=models), members


def measure(
    client: openai.OpenAI, members: list[str], question: str, n: int, stream: bool = False
) -> dict[str, Any]:
    wall: list[float] = []
    stages: dict[str, list[float]] = defaultdict(list)
    routes: dict[str, int] = defaultdict(int)
    for i in range(n):
        start = time.perf_counter()
        info = ask(client, members[i % len(members)], question, stream)
        wall.append((time.perf_counter() - start) * 1000)
        routes[info["route"]] += 1
        for stage, ms in info["stage_ms"].items():
            stages[stage].append(ms)
    return {
        "requests": n,
        "routes": dict(routes),
        "wall_ms": {"p50": percentile(wall, 50), "p99": percentile(wall, 99)},
        "stage_ms_p50": {s: statistics.median(v) for s, v in stages.items()},
        "stage_ms_mean": {s: statistics.fmean(v) for s, v in stages.items()},
    }


def ask(client: openai.OpenAI, member: str, question: str, stream: bool) -> dict[str, Any]:
    messages: Any = [{"role": "user", "content": question}]
    if not stream:
        response = client.chat.completions.create(model="m", user=member, messages=messages)
        return dict(response.model_extra["gateway"])  # type: ignore[index]
    info: dict[str, Any] = {}
    for chunk in client.chat.completions.create(model="m", user=member, messages=messages, stream=True):
        if chunk.model_extra and "gateway" in chunk.model_extra:
            info = chunk.model_extra["gateway"]
    return info


def report(results: dict[str, Any], n: int) -> str:
    lines = [
        "# Request-path latency",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} ({os.cpu_count()} cores), "
        f"{n} sequential requests per row through the `openai` SDK to a gateway on loopback "
        "(uvicorn, one process), member store SQLite, audit SQLite (synchronous=FULL), "
        "Redis on loopback; the hosted LLM is a loopback server that answers at once, so the "
        "`llm` rows show the gateway's own overhead, not a provider's. "
        "Reproduce: `.venv/bin/python -m evals.latency.run`.",
        "",
        "| case | route(s) | client p50 ms | client p99 ms | "
        + " | ".join(f"{s} p50" for s in STAGES)
        + " |",
        "| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in STAGES) + " |",
    ]
    for name, r in results.items():
        stage_cells = " | ".join(f"{r['stage_ms_p50'].get(s, 0):.2f}" for s in STAGES)
        routes = ", ".join(f"{k} {v}" for k, v in r["routes"].items())
        lines.append(
            f"| {name} | {routes} | {r['wall_ms']['p50']:.1f} | {r['wall_ms']['p99']:.1f} | {stage_cells} |"
        )
    lines += [
        "",
        "## The pipeline's own split (mean stage time, all cases together)",
        "",
        "| stage | share here | share in seed article 003 |",
        "| --- | ---: | ---: |",
    ]
    totals = {s: sum(r["stage_ms_mean"].get(s, 0) for r in results.values()) for s in STAGES}
    whole = sum(totals.values()) or 1
    for stage in STAGES:
        ref = REFERENCE.get(stage)
        lines.append(f"| {stage} | {100 * totals[stage] / whole:.0f}% | {f'{ref}%' if ref else '-'} |")
    lines += [
        "",
        "The article's split is of engineering work in one deployment (a claim, not a "
        "measurement of time); ours is wall time per stage. `generation` here includes the "
        "small model's template rendering and the loopback LLM call; monitoring and policy "
        "are folded into every stage rather than being stages of their own.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    n = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as tmp, UpstreamServer(Script(reply="We bake bread daily.")) as up:
        app, members = build(Path(tmp), up)
        with ServedApp(app) as served:
            client = openai.OpenAI(base_url=f"{served.url}/v1", api_key="dev-app-key", max_retries=0)
            ask(client, members[0], "warm up: how many points do I have?", False)
            results = {
                "lookup, first time per wording": measure(client, members, "how many points do I have", 1),
                "lookup (exact cache after the first)": measure(
                    client, members, "what's my points balance?", n
                ),
                "lookup, streamed": measure(client, members, "what's my points balance?", n, stream=True),
                "open question (hosted LLM)": measure(client, members, "Do you sell fresh bread?", n),
                "open question, streamed": measure(
                    client, members, "Do you sell fresh bread?", n, stream=True
                ),
            }
    (HERE / "report.json").write_text(json.dumps(results, indent=2))
    (HERE / "report.md").write_text(report(results, n))
    print((HERE / "report.md").read_text())


if __name__ == "__main__":
    main()
