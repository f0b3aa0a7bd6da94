"""Held-out accuracy of the router, the route mix it serves, and the cost it saves.

    .venv/bin/python -m evals.routing.run [--seed 7]

Trains the route model (and the intent model it hands lookups to) into a
temporary folder from `evals/routing/queries.jsonl` and `evals/intents/intents.jsonl`,
evaluates on the router's held-out 20 % (stratified by route and channel; it chose
nothing), follows each held-out query through the serving chain (route model →
unsure goes to the LLM → intent model for small_model), and prices the result
against an all-LLM baseline (`cost.py`). Writes `report.md` here and the
per-query `results.jsonl` (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from evals.routing.cost import COMPLETION_TOKENS, CPU_USD_PER_VCPU_HOUR, Prices, cpu_usd, reference_prices
from gateway.policy.loader import load_policy_set
from gateway.policy.routing import RoutingPolicy
from gateway.routing.route_model import ROUTES
from gateway.routing.train_router import RouteExample, RouterTraining, load_route_data, train_route_model
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import Embedder, IntentModel, load_embedder, load_intent_model, train_intent_model
from gateway.smallmodel.labels import OPEN

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries.jsonl"
INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"
HIT_RATES = (0.0, 0.5, 0.8)  # share of cache-route questions the semantic cache answers
DAILY_REQUESTS = 50_000  # the seed article's scale


@dataclass(frozen=True)
class Served:
    """One held-out query followed through the serving chain."""

    text: str
    channel: str
    true: str
    predicted: str
    confidence: float
    final: str  # small_model, cache (semantic lookup, then the LLM on a miss) or llm
    intent: str | None
    cpu_s: float
    prompt_tokens: int
    llm_usd: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    policy = load_policy_set(PROJECT_ROOT / "policies").routing
    embedder = load_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp)
        training = train_route_model(
            QUERIES, models, embedder, min_confidence=policy.router.min_confidence, seed=args.seed
        )
        train_intent_model(INTENT_DATA, models, embedder, seed=args.seed)
        intent = load_intent_model(models, embedder=embedder)
        served = follow(training, intent, embedder, policy, reference_prices())
    (HERE / "results.jsonl").write_text("".join(json.dumps(s.__dict__) + "\n" for s in served))
    markdown = render(training, served, policy, reference_prices(), args.seed)
    (HERE / "report.md").write_text(markdown, encoding="utf-8")
    print(markdown)


def follow(
    training: RouterTraining, intent: IntentModel, embedder: Embedder, policy: RoutingPolicy, prices: Prices
) -> list[Served]:
    """Each held-out query as serving treats it, with its CPU time (embedding + both heads)."""
    results = []
    for example in training.heldout:
        start = time.process_time()
        vector = embedder.encode([example.text])[0]
        predicted = training.model.predict_vector(vector, example.features)
        route = predicted.served(policy.router.min_confidence)
        guess = intent.predict_vector(vector) if route == "small_model" else None
        cpu_s = time.process_time() - start
        unsure = guess is not None and guess.confidence < policy.small_model_min_confidence
        if unsure or (guess is not None and guess.intent == OPEN):
            route = "llm"
        tokens, usd = prices.llm_call(example.text)
        results.append(Served(
            example.text, example.channel, example.route, predicted.route, round(predicted.confidence, 4),
            route, guess.intent if guess else None, cpu_s, tokens, usd,
        ))
    return results


def cost_rows(served: list[Served]) -> list[tuple[str, float]]:
    """USD per 1,000 turns: all-LLM, then the router at each semantic-cache hit rate."""
    n = len(served)
    baseline = sum(s.llm_usd for s in served) / n * 1000
    rows = [("everything to the hosted LLM", baseline)]
    for rate in HIT_RATES:
        total = 0.0
        for s in served:
            llm_share = {"small_model": 0.0, "cache": 1.0 - rate, "llm": 1.0}[s.final]
            total += llm_share * s.llm_usd + cpu_usd(s.cpu_s)
        rows.append((f"router, semantic cache answers {rate:.0%} of cache-route questions", total / n * 1000))
    return rows


def render(
    training: RouterTraining, served: list[Served], policy: RoutingPolicy, prices: Prices, seed: int
) -> str:
    labelled = load_route_data(QUERIES).examples
    sections = [
        _header(training, labelled, policy, seed),
        _accuracy(training.report),
        _confusion("Confusion matrix (held out, route model argmax; rows true, columns predicted)",
                   training.report["confusion"]),
        _confusion(f"Confusion matrix (held out, as served: under {policy.router.min_confidence:.2f} → llm)",
                   training.report["served_confusion"]),
        _mix(labelled, served),
        _cost(served, prices),
        _mistakes(training.report["mistakes"]),
    ]
    return "\n\n".join(sections) + "\n"


def _header(
    training: RouterTraining, labelled: Sequence[RouteExample], policy: RoutingPolicy, seed: int
) -> str:
    card, report = training.model.card, training.report
    counts = Counter((e.route, e.channel) for e in labelled)
    table = ", ".join(f"{r}/{c} {n}" for (r, c), n in sorted(counts.items()))
    return "\n".join([
        "# Router: held-out evaluation, route mix and cost",
        "",
        "Reproduce: `.venv/bin/python -m evals.routing.run` "
        f"(seed {seed}; trains into a temporary folder, about a minute on 2 cores).",
        "",
        f"- route model {card.version}: logistic regression on the MiniLM embedding "
        f"(`{card.embedder_model_id}`) + context features ({', '.join(card.context_features)})",
        f"- data `{card.data_file}` sha256 `{card.data_sha256[:16]}…`: {table}",
        f"- split: {report['train_size']} train / {report['heldout_size']} held out, "
        "stratified by route × channel; "
        f"C = {card.hyperparameters['C']} chosen by 5-fold out-of-fold log loss "
        f"({card.hyperparameters['out_of_fold_log_loss']}) on the training part only",
        f"- serving: a prediction under `router.min_confidence` = {policy.router.min_confidence:.2f} "
        "(policies/routing.yaml) takes the safe route (llm, else the governed fallback)",
    ])


def _accuracy(report: dict[str, Any]) -> str:
    lines = [
        "## Held-out accuracy",
        "",
        "| | accuracy |",
        "| --- | ---: |",
        f"| route model (argmax), all channels | **{report['accuracy']:.3f}** |",
        f"| as served (an unsure prediction → llm) | {report['served_accuracy']:.3f} |",
        f"| share of held-out turns under the confidence floor | {report['deferred_share']:.3f} |",
    ]
    lines += [f"| channel {ch} (argmax) | {acc:.3f} |" for ch, acc in report["per_channel"].items()]
    return "\n".join(lines)


def _confusion(title: str, matrix: list[list[int]]) -> str:
    lines = [f"## {title}", "", "| true \\ predicted | " + " | ".join(ROUTES) + " |",
             "| --- |" + " ---: |" * len(ROUTES)]
    for route, row in zip(ROUTES, matrix, strict=True):
        lines.append(f"| {route} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def _mix(examples: Sequence[RouteExample], served: list[Served]) -> str:
    labelled = Counter(e.route for e in examples)
    final = Counter(s.final for s in served)
    n, total = len(served), sum(labelled.values())
    lines = [
        "## Route mix",
        "",
        "Held out, as served: route model, then the confidence floor, then the intent model for "
        "small_model (an `open` or unsure intent goes to the LLM).",
        "",
        "| route | labelled set | held out, served |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {r} | {labelled[r] / total:.1%} | {final[r] / n:.1%} ({final[r]}) |" for r in ROUTES]
    return "\n".join(lines)


def _cost(served: list[Served], prices: Prices) -> str:
    rows = cost_rows(served)
    baseline = rows[0][1]
    cpu_ms = sorted(s.cpu_s * 1000 for s in served)
    lines = [
        "## Cost against sending everything to the hosted LLM",
        "",
        f"Reference model `{prices.model}` from litellm's bundled price map: "
        f"${prices.input_per_token * 1e6:.2f} / ${prices.output_per_token * 1e6:.2f} per million input / "
        f"output tokens. Prompt = the real system prompt rendered for a representative member "
        f"({prices.system_prompt_tokens} tokens, counted with litellm's tokenizer) + the question "
        f"(mean {sum(s.prompt_tokens for s in served) / len(served):.0f} tokens in all); completion "
        f"{COMPLETION_TOKENS} tokens (estimate). Small model and cache: measured CPU time for embedding + "
        f"route model + intent head (PyTorch MiniLM, median {cpu_ms[len(cpu_ms) // 2]:.1f} ms) at "
        f"${CPU_USD_PER_VCPU_HOUR}/vCPU-hour. The semantic cache's hit rate depends on traffic, so it is "
        "a parameter here.",
        "",
        f"| | USD per 1,000 turns | saved | per month at {DAILY_REQUESTS:,} turns a day |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, usd in rows:
        saved = 1 - usd / baseline
        lines.append(f"| {name} | {usd:.4f} | {saved:.1%} | ${usd / 1000 * DAILY_REQUESTS * 30:,.2f} |")
    return "\n".join(lines)


def _mistakes(mistakes: list[dict[str, Any]]) -> str:
    if not mistakes:
        return "## Held-out mistakes\n\nNone."
    lines = [f"## Held-out mistakes ({len(mistakes)}, route model argmax)", "",
             "| text | channel | true | predicted | confidence |", "| --- | --- | --- | --- | ---: |"]
    lines += [f"| {m['text']} | {m['channel']} | {m['true']} | {m['predicted']} | {m['confidence']:.3f} |"
              for m in mistakes]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
