"""What a shadow candidate costs per turn: one extra embedding and a linear head.

    python -m evals.lifecycle.shadow_cost [--models DIR] [--turns 300]

Uses the serving embedder of DIR (ONNX Runtime when an encoder is exported there,
else PyTorch) and the LATEST intent version as both serving and shadow model.
Writes evals/lifecycle/report.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from gateway.offline import enforce_offline
from gateway.settings import PROJECT_ROOT, load_settings
from gateway.smallmodel.embedder import Embedder

REPORT = PROJECT_ROOT / "evals" / "lifecycle" / "report.md"
QUERIES = ("how many points do I have", "when does the store close", "tell me about the bakery",
           "what tier am I")


def embedders(models_dir: Path) -> list[Embedder]:
    """PyTorch always; ONNX Runtime too when an encoder is exported in `models_dir`."""
    from gateway.smallmodel import load_embedder
    from gateway.smallmodel.onnx_embedder import latest_encoder_dir, load_onnx_embedder

    encoder = latest_encoder_dir(models_dir)
    return [load_embedder(), *([load_onnx_embedder(encoder)] if encoder is not None else [])]


async def measure(models_dir: Path, embedder: Embedder, turns: int) -> list[float]:
    from gateway.smallmodel import load_intent_model
    from gateway.smallmodel.registry import ModelRegistry
    from gateway.smallmodel.shadow import ShadowObserver
    from gateway.turn import Channel, ChatMessage, RequestMetadata, Route, RouteDecision, Turn

    model = load_intent_model(models_dir, embedder=embedder)
    registry = ModelRegistry(models_dir, embedder, model)
    registry.set_shadow(model.version)
    observe = ShadowObserver(registry)
    millis = []
    for i in range(turns):
        query = f"{QUERIES[i % len(QUERIES)]} {i}"  # distinct texts: no cache anywhere helps
        route = RouteDecision(Route.SMALL_MODEL, "bench", intent="points_balance", confidence=0.9)
        turn = Turn(Channel.APP, "1", (ChatMessage("user", query),), RequestMetadata(), "bench",
                    query=query, route=route)
        start = time.perf_counter()
        await observe(turn)
        millis.append((time.perf_counter() - start) * 1000)
    return sorted(millis)


def main() -> None:
    enforce_offline()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, default=None)
    parser.add_argument("--turns", type=int, default=300)
    args = parser.parse_args()
    models_dir = args.models or load_settings().models_dir
    from gateway.smallmodel.onnx_embedder import embedder_backend

    rows = []
    for embedder in embedders(models_dir):
        millis = asyncio.run(measure(models_dir, embedder, args.turns))
        p50, p99 = millis[len(millis) // 2], millis[int(len(millis) * 0.99) - 1]
        rows.append(f"| `{embedder_backend(embedder)}` | {len(millis)} | {p50:.1f} | {p99:.1f} |")
    REPORT.write_text(
        "\n".join([
            "# Shadow candidate cost per turn",
            "",
            f"- measured {datetime.now(UTC).replace(microsecond=0).isoformat()} on {platform.machine()}, "
            f"{os.cpu_count()} cores (shared with other work: figures are upper bounds)",
            f"- `python -m evals.lifecycle.shadow_cost --turns {args.turns}`",
            "- what is timed: `ShadowObserver(turn)`, i.e. the question embedded again plus the",
            "  candidate's linear head, in a worker thread; paid only while a shadow is set",
            "  (`POST /v1/admin/models/intent {\"shadow\": ...}`); serving embeds with ONNX Runtime",
            "  when the encoder is exported (`loyalty-gateway train` does it)",
            "",
            "| embedder | turns | p50 ms | p99 ms |",
            "| --- | ---: | ---: | ---: |",
            *rows,
            "",
        ]),
        encoding="utf-8",
    )
    print(REPORT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
