"""The real gateway on loopback, whose hosted LLM says exactly what the evaluation tells it.

    EvalGateway(workdir)   seeds 30 households, trains the intent and route models, starts the
                           loopback OpenAI-compatible upstream and serves
                           `gateway.app.create_app(settings)` with uvicorn
    .probe(member)         the system prompt the gateway sent for an open question
    .ask(...)              one turn through the official openai SDK, streamed or not;
                           the reply may be a function of the request the upstream got

Nothing is patched: requests go through dataprep, context, routing (the trained
intent model), generation (litellm to the upstream), governance and audit. One
thing is reset before every turn: the evaluation's Redis database, where offer
decisioning keeps its frequency caps (2 impressions per offer, 6 offers a day).
Without the reset, a member asked hundreds of times runs out of candidate offers
and every item would be judged against a different, shrinking offer set.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import openai
import redis

from gateway.app import create_app
from gateway.composition import LoadedModels
from gateway.policy.loader import PolicySet, load_policy_set
from gateway.routing.route_model import load_route_model
from gateway.routing.train_router import train_route_model
from gateway.seed import seed_demo
from gateway.settings import PROJECT_ROOT, Settings, load_settings
from gateway.smallmodel import load_embedder, load_intent_model, train_intent_model
from tests.support import Script, UpstreamServer
from tests.support.serving import ServedApp

REDIS_URL = "redis://127.0.0.1:6379/12"  # the evaluation's own database, flushed at start
HOUSEHOLDS = 30
INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"
ROUTING_DATA = PROJECT_ROOT / "evals" / "routing" / "queries.jsonl"
CHANNEL_KEYS = {"app": "dev-app-key", "kiosk": "dev-kiosk-key", "associate": "dev-associate-key"}
Reply = str | Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Answer:
    """What reached the client, and what the gateway said about it."""

    text: str
    action: str
    codes: tuple[str, ...]
    sections: tuple[str, ...]
    route: str
    decision_id: str
    governance_ms: float | None
    upstream_called: bool


class EvalGateway:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.db = workdir / "loyalty.db"
        self.audit_url = f"sqlite:///{workdir / 'audit.db'}"
        self.policies: PolicySet = load_policy_set(PROJECT_ROOT / "policies")
        self._stack = contextlib.ExitStack()
        self._upstream: UpstreamServer | None = None
        self._clients: dict[str, openai.OpenAI] = {}
        self._redis = redis.Redis.from_url(REDIS_URL)

    def __enter__(self) -> EvalGateway:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for client in self._clients.values():
            client.close()
        self._stack.close()
        self._redis.close()

    def _start(self) -> None:
        seed_demo(self.db, program=self.policies.program, margins=self.policies.margins,
                  households=HOUSEHOLDS, progress=False)
        embedder = load_embedder()
        models_dir = self.workdir / "models"
        train_intent_model(INTENT_DATA, models_dir, embedder, seed=7,
                           report_path=self.workdir / "intent-report.md")
        train_route_model(ROUTING_DATA, models_dir, embedder,
                          min_confidence=self.policies.routing.router.min_confidence)
        self._redis.flushdb()
        self._upstream = self._stack.enter_context(UpstreamServer(Script(reply="")))
        models = LoadedModels(
            embedder, load_intent_model(models_dir, "latest", embedder=embedder),
            router=load_route_model(models_dir, embedder_model_id=embedder.model_id))
        served = self._stack.enter_context(ServedApp(create_app(self._settings(), models=models)))
        self._clients = {
            channel: openai.OpenAI(base_url=f"{served.url}/v1", api_key=key, max_retries=0,
                                   timeout=60)
            for channel, key in CHANNEL_KEYS.items()
        }

    def _settings(self) -> Settings:
        assert self._upstream is not None
        return load_settings(
            _env_file=None,
            data_dir=self.workdir,
            database_url=f"sqlite:///{self.db}",
            audit_url=self.audit_url,
            redis_url=REDIS_URL,
            models_dir=self.workdir / "models",
            llm_model="test-model",
            llm_api_base=self._upstream.base_url,
            llm_api_key="sk-eval-not-a-secret",
        )

    def probe(self, member_id: str, question: str) -> str:
        """The system prompt the gateway sends the hosted LLM for this member."""
        self.ask(member_id, "app", question, "Fresh bread is baked every morning.", stream=False)
        assert self._upstream is not None
        [request] = self._upstream.completion_requests
        return system_prompt(request.body)

    def ask(self, member_id: str, channel: str, question: str, reply: Reply, *, stream: bool) -> Answer:
        """One turn; the upstream answers with `reply` (or what it returns for the request)."""
        assert self._upstream is not None
        self._redis.flushdb()  # offer frequency caps: see the module docstring
        self._upstream.configure(reply=reply)
        self._upstream.clear()
        client = self._clients[channel]
        messages: Any = [{"role": "user", "content": question}]
        if stream:
            text, info = _streamed(client.chat.completions.create(
                model="loyalty", user=member_id, messages=messages, stream=True))
        else:
            response = client.chat.completions.create(model="loyalty", user=member_id,
                                                      messages=messages)
            text = response.choices[0].message.content or ""
            info = dict((response.model_extra or {})["gateway"])
        return _answer(text, info, called=bool(self._upstream.completion_requests))


def system_prompt(body: Mapping[str, Any]) -> str:
    """The system prompt of a chat request the upstream received."""
    first = body["messages"][0]
    return str(first["content"]) if first["role"] == "system" else ""


def _streamed(stream: Any) -> tuple[str, dict[str, Any]]:
    parts: list[str] = []
    info: dict[str, Any] = {}
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta.content:
                parts.append(choice.delta.content)
        if chunk.model_extra and "gateway" in chunk.model_extra:
            info = dict(chunk.model_extra["gateway"])
    return "".join(parts), info


def _answer(text: str, info: dict[str, Any], *, called: bool) -> Answer:
    governance = info["governance"]
    violations = governance["violations"]
    return Answer(
        text=text,
        action=str(governance["action"]),
        codes=tuple(v["code"] for v in violations),
        sections=tuple(dict.fromkeys(v["policy"] for v in violations)),
        route=str(info["route"]),
        decision_id=str(info["decision_id"]),
        governance_ms=info.get("stage_ms", {}).get("governance"),
        upstream_called=called,
    )

