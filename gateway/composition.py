"""The composition root: every stage, store and client is built here, once, from settings.

Nothing else in the package constructs a store or a client; stages receive what
they need through their constructors. `build_services` runs inside the app's
lifespan, so connections belong to the server's event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import redis.asyncio as redis
from opentelemetry.sdk.trace import TracerProvider

from gateway.api.keys import KeyRing
from gateway.audit import AuditLog, open_audit_log, record_from_turn
from gateway.context.prompts import PromptRegistry
from gateway.context.stitcher import ContextStitcher
from gateway.dataprep import Limits
from gateway.decisioning import ArbitrationPolicy, FileModelStore, OfferScorer, RedisDecisionLog
from gateway.decisioning.service import OfferService
from gateway.events import EventConsumer, EventIngestor, HotProfiles, default_consumer_name
from gateway.exceptions import ConfigError, StoreError
from gateway.generation import LLMRoute, build_llm_route
from gateway.governance import (
    ClaimClassifier,
    Gate,
    has_claim_classifier,
    load_claim_classifier,
    split_sentences,
)
from gateway.home_offers import HomeOffers
from gateway.members import MemberStore, SqliteMemberStore
from gateway.monitoring import GatewayMetrics, StageRecorder, build_tracer_provider
from gateway.offers import FrequencyCaps, PolicyOfferDecider
from gateway.pipeline import AuditWriter, Pipeline, PolicyBound, Stages
from gateway.policy.live import LivePolicies
from gateway.policy.loader import PolicySet, load_policy_set
from gateway.rails import InputScreen
from gateway.routing import CacheScope, ExactCache, Router
from gateway.services import Services
from gateway.settings import Environment, Settings
from gateway.smallmodel import Embedder, IntentModel, SmallModelResponder, load_embedder, load_intent_model
from gateway.turn import Turn


@dataclass(frozen=True)
class LoadedModels:
    """Models are plain in-memory objects, safe to share between apps (and event loops)."""

    embedder: Embedder
    intent: IntentModel
    claims: ClaimClassifier | None = None  # the gate's learned second check, when trained

    @property
    def version(self) -> str:
        """The model versions behind a decision, for its audit record."""
        return self.intent.version + (f"+claims:{self.claims.version}" if self.claims else "")


def load_models(settings: Settings) -> LoadedModels:
    embedder = load_embedder()
    intent = load_intent_model(settings.models_dir, settings.intent_model_version, embedder=embedder)
    claims = (
        load_claim_classifier(settings.models_dir, embedder)
        if has_claim_classifier(settings.models_dir)
        else None
    )
    return LoadedModels(embedder, intent, claims)


def sqlite_path(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        scheme = url.split(":", maxsplit=1)[0]
        raise ConfigError(f"DATABASE_URL must be sqlite:///<path> in this version, not {scheme}:")
    return Path(url.removeprefix("sqlite:///"))


async def build_services(settings: Settings, models: LoadedModels | None = None) -> Services:
    prompts = PromptRegistry(settings.prompts_dir)
    keys = KeyRing.load(settings.channel_keys_file, production=settings.gateway_env is Environment.PRODUCTION)
    if models is None:
        models = await asyncio.to_thread(load_models, settings)
    cache_client = redis.Redis.from_url(settings.redis_url)
    program = load_policy_set(settings.policies_dir).program  # the points rate of hot profiles
    infra = Infrastructure(
        members=SqliteMemberStore(sqlite_path(settings.member_db_url)),
        cache_client=cache_client,
        caps=FrequencyCaps(cache_client),
        profiles=HotProfiles(cache_client, points_per_dollar=program.points.points_per_dollar),
        audit=open_audit_log(settings.audit_db_url),
        llm=build_llm_route(settings),
        metrics=GatewayMetrics(),
        tracer_provider=build_tracer_provider(settings.telemetry_exporter, settings.otlp_endpoint),
    )
    live = LivePolicies(
        settings.policies_dir, partial(_bind, prompts=prompts, models=models, infra=infra),
        check_interval_s=settings.policy_check_interval_s,
    )
    write_audit = _audit_writer(infra.audit, models.version)
    pipeline = Pipeline(_stages(settings, live, prompts, models, infra, write_audit=write_audit))
    offers = _offer_service(settings, live.current.policies, infra.cache_client)
    consumer = EventConsumer(infra.cache_client, infra.profiles, "hot-profiles", default_consumer_name())
    services = Services(
        settings, pipeline, keys, infra.metrics, _stream_pieces, live,
        offers=offers, home_offers=HomeOffers(live, offers, write_audit),
        events=EventIngestor(infra.cache_client),
    )
    services.readiness = {
        "redis": partial(_ping_redis, infra.cache_client),
        "members": partial(_check_members, infra.members),
        "audit": partial(_check_audit, infra.audit),
        "events": consumer.check,
    }
    await consumer.start()
    # Closed in reverse order: the event consumer first, then the offer model, then the stores.
    services.closers = [*infra.closers(), offers.close, consumer.stop]
    return services


def _offer_service(settings: Settings, policies: PolicySet, client: redis.Redis) -> OfferService:
    """The next-best-offer learner, restored from its last save so a restart keeps what it learned."""
    store = FileModelStore(settings.models_dir / "offers.nbo")
    scorer = OfferScorer.load(store, policy=ArbitrationPolicy(), margins=policies.margins)
    return OfferService(scorer, RedisDecisionLog(client), store)


def _audit_writer(audit: AuditLog, model_version: str) -> AuditWriter:
    async def write_audit(turn: Turn) -> None:
        await audit.append(record_from_turn(turn, model_version=model_version))

    return write_audit


@dataclass(frozen=True)
class Infrastructure:
    """Stores and clients with a lifetime: opened at start-up, closed at shutdown."""

    members: MemberStore
    cache_client: redis.Redis
    caps: FrequencyCaps
    profiles: HotProfiles
    audit: AuditLog
    llm: LLMRoute | None
    metrics: GatewayMetrics
    tracer_provider: TracerProvider

    def closers(self) -> list[Callable[[], Awaitable[None]]]:
        closers = [self.members.close, self.cache_client.aclose, self.audit.close,
                   _shutdown(self.tracer_provider)]
        if self.llm is not None:
            closers.append(self.llm.aclose)
        return closers


def _bind(
    policies: PolicySet, *, prompts: PromptRegistry, models: LoadedModels, infra: Infrastructure
) -> PolicyBound:
    """Everything that depends on a policy version, built again on each reload."""
    answers_version = prompts.version_of_folder("answers")
    router = Router(
        policies.routing,
        models.intent,
        ExactCache(infra.cache_client, policies.routing.exact_cache_ttl_s),
        llm_available=infra.llm is not None,
        scope_for=lambda turn: CacheScope(
            turn.channel.value, turn.metadata.locale, answers_version, policies.version
        ),
    )
    offers = PolicyOfferDecider(
        policies.program, policies.margins, policies.offers, store=infra.members, caps=infra.caps
    )
    stitcher = ContextStitcher(
        infra.members, prompts, offers, clock=lambda: datetime.now(UTC), live=infra.profiles
    )
    return PolicyBound(
        screen=InputScreen(policies.input_rails),
        offers=offers,
        stitcher=stitcher,
        router=router,
        gate=Gate(policies.governance, policies.version, semantic=models.claims),
    )


def _stages(
    settings: Settings, live: LivePolicies[PolicyBound], prompts: PromptRegistry,
    models: LoadedModels, infra: Infrastructure, *, write_audit: AuditWriter,
) -> Stages:
    model_version = models.intent.version
    return Stages(
        limits=Limits(settings.max_message_chars, settings.max_messages),
        policies=live,
        responder=SmallModelResponder(prompts, model_version),
        llm=infra.llm,
        prompts=prompts,
        write_audit=write_audit,
        recorder=StageRecorder(infra.tracer_provider.get_tracer("gateway"), infra.metrics),
    )



def _stream_pieces(text: str) -> list[str]:
    """The answer cut at sentence ends, separators kept, so the pieces join back to the text."""
    pieces, start = [], 0
    for sentence in split_sentences(text):
        pieces.append(text[start : sentence.end])
        start = sentence.end
    if start < len(text):
        pieces.append(text[start:])
    return [piece for piece in pieces if piece]


async def _ping_redis(client: redis.Redis) -> None:
    try:
        await client.ping()
    except redis.RedisError as e:
        raise StoreError(f"redis does not answer: {e}") from e


async def _check_members(members: MemberStore) -> None:
    await members.store_info("0")


async def _check_audit(audit: AuditLog) -> None:
    await audit.recent(1)


def _shutdown(provider: TracerProvider) -> Callable[[], Awaitable[None]]:
    async def close() -> None:
        provider.shutdown()

    return close
