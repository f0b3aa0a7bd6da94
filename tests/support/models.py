"""Plain data shared by test fixtures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.composition import LoadedModels
from gateway.smallmodel import TrainReport


@dataclass(frozen=True)
class Trained:
    report: TrainReport
    models_dir: Path
    markdown: Path


def train_serving_models(models_dir: Path, *, intent_report: Path | None = None) -> LoadedModels:
    """Train the intent and route models from the committed labelled sets, as `loyalty-gateway train`
    does, and load them as a gateway serves them (the evals' own small-model folder)."""
    from gateway.policy.loader import load_policy_set
    from gateway.routing.route_model import load_route_model
    from gateway.routing.train_router import train_route_model
    from gateway.settings import PROJECT_ROOT
    from gateway.smallmodel import load_embedder, load_intent_model, train_intent_model

    embedder = load_embedder()
    train_intent_model(PROJECT_ROOT / "evals/intents/intents.jsonl", models_dir, embedder,
                       report_path=intent_report or models_dir / "intent-report.md")
    routing = load_policy_set(PROJECT_ROOT / "policies").routing
    train_route_model(PROJECT_ROOT / "evals/routing/queries.jsonl", models_dir, embedder,
                      min_confidence=routing.router.min_confidence)
    return LoadedModels(embedder, load_intent_model(models_dir, embedder=embedder),
                        router=load_route_model(models_dir, embedder_model_id=embedder.model_id))
