"""A demo gateway for the benchmarks under load: seeded households, a trained intent model,
real Redis, no hosted LLM, served by uvicorn on loopback (shared by `evals/freshness/e2e.py`).

The policies are a copy of `policies/` with the frequency caps raised: each benchmark
request shows a member every offer, so with the shipped caps (2 impressions per offer a
week) every member's candidates would be gone after two requests and the benchmark would
time empty rankings. Every other rule (tier, margin floor, stock, promotions, stacking)
applies as shipped, and the caps are still read and written in Redis on each request.
The seeded database and the trained intent model are built once per household count and
policy version in the system's temporary folder, and copied for each run.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import redis

from gateway.app import create_app
from gateway.composition import load_models
from gateway.policy.loader import load_policy_set
from gateway.routing.train_router import train_route_model
from gateway.seed import seed_demo
from gateway.settings import PROJECT_ROOT, Settings, load_settings
from gateway.smallmodel import load_embedder, train_intent_model
from gateway.smallmodel.onnx_export import ensure_onnx_encoder

UNCAPPED = {"max_impressions_per_offer": 1_000_000, "max_offers_per_day": 1_000_000}


@dataclass(frozen=True)
class Demo:
    app: Any
    settings: Settings
    members_with_offers: list[str]
    members: list[tuple[str, int]]  # (member id, seeded points)
    seconds_to_build: float


def uncapped_policies(target: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "policies", target)
    offers = target / "offers.yaml"
    text = offers.read_text()
    for key, value in UNCAPPED.items():
        text, n = re.subn(rf"^(\s*{key}:)\s*\d+", rf"\g<1> {value}", text, flags=re.MULTILINE)
        assert n == 1, key
    offers.write_text(text)
    return target


def build(tmp: Path, *, households: int, redis_url: str) -> Demo:
    started = time.monotonic()
    policies_dir = uncapped_policies(tmp / "policies")
    policies = load_policy_set(policies_dir)
    db = tmp / "loyalty.db"
    cache = Path(tempfile.gettempdir()) / f"lg-bench-demo-{households}-{policies.version}"
    if not (cache / "done").exists():  # seeding and training take minutes: once per policy version
        embedder = load_embedder()
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        seed_demo(cache / "loyalty.db", program=policies.program, margins=policies.margins,
                  households=households, progress=False)  # fmt: skip
        train_intent_model(PROJECT_ROOT / "evals/intents/intents.jsonl", cache / "models", embedder)
        train_route_model(PROJECT_ROOT / "evals/routing/queries.jsonl", cache / "models", embedder,
                          min_confidence=policies.routing.router.min_confidence)  # fmt: skip
        ensure_onnx_encoder(cache / "models", reference=embedder)  # served as in production: ORT
        (cache / "done").touch()
    shutil.copyfile(cache / "loyalty.db", db)
    shutil.copytree(cache / "models", tmp / "models")
    flush = redis.Redis.from_url(redis_url)
    flush.flushdb()
    flush.close()
    settings = load_settings(
        _env_file=None, data_dir=tmp, database_url=f"sqlite:///{db}",
        audit_url=f"sqlite:///{tmp / 'audit.db'}", redis_url=redis_url, models_dir=tmp / "models",
        policies_dir=policies_dir,
    )  # fmt: skip
    models = load_models(settings)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT DISTINCT member_id FROM offer_targets ORDER BY 1")
        targeted = [str(r[0]) for r in rows]
        rows = conn.execute("SELECT member_id, points FROM members ORDER BY 1")
        members = [(str(m), int(p)) for m, p in rows]
    return Demo(create_app(settings, models=models), settings, targeted, members, time.monotonic() - started)


def machine(redis_url: str) -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                 if ln.startswith("model name")]
        model = names[0] if names else ""
    server = redis.Redis.from_url(redis_url)
    version = str(server.info("server")["redis_version"])
    server.close()
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(), "arch": platform.machine(),
            "python": platform.python_version(), "redis": version,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))], 3)

    return {"n": len(ordered), "p50": at(50), "p90": at(90), "p99": at(99), "max": round(ordered[-1], 3)}
