"""The composition root: every stage, store and client is built here, once, from settings.

Nothing else in the package constructs a store or a client; stages receive what
they need through their constructors. `build_services` runs inside the app's
lifespan, so connections belong to the server's event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import redis.asyncio as redis
from opentelemetry.sdk.trace import TracerProvider

from gateway.api.keys import KeyRing
from gateway.audit import AnswerFeedbackService, AuditLog, open_audit_log, record_from_turn
from gateway.clienteling import StoreFeed, StoreNotifier
from gateway.consent import ConsentPreferences, ConsentResolver, SqliteConsentStore
from gateway.consent.erasure import (
    DecisionLogEraser,
    Erasure,
    EventStreamEraser,
    FrequencyCapEraser,
    HotProfileEraser,
    MemberRows,
)
from gateway.context.budget import litellm_counter
from gateway.context.complements import CURRENT, CatalogVectors
from gateway.context.knowledge import KnowledgeBase
from gateway.context.prompts import PromptRegistry
from gateway.context.stitcher import ContextSources, ContextStitcher
from gateway.context.weather import ChannelWeather, HttpWeatherProvider, WeatherProvider
from gateway.dataprep import Limits
from gateway.decisioning import FileModelStore, OfferScorer, RedisDecisionLog
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
from gateway.pipeline import AuditWriter, OfferRanker, Pipeline, PolicyBound, Stages
from gateway.policy.live import LivePolicies
from gateway.policy.loader import PolicySet, load_policy_set
from gateway.rails import InputScreen
from gateway.routing import CacheScope, ExactCache, Router
from gateway.routing.route_model import RouteModel, load_route_model
from gateway.routing.semantic_cache import SemanticCache, open_semantic_cache
from gateway.services import Services
from gateway.settings import Environment, Settings
from gateway.smallmodel import Embedder, IntentModel, SmallModelResponder, load_intent_model
from gateway.smallmodel.embedder import RecentTextsEmbedder
from gateway.smallmodel.onnx_embedder import load_serving_embedder
from gateway.smallmodel.registry import ModelRegistry
from gateway.smallmodel.shadow import ShadowObserver, shadow_counter
from gateway.turn import Turn


@dataclass(frozen=True)
class LoadedModels:
    """Models are plain in-memory objects, safe to share between apps (and event loops)."""

    embedder: Embedder
    intent: IntentModel
    claims: ClaimClassifier | None = None  # the gate's learned second check, when trained
    router: RouteModel | None = None  # small model / cache / LLM; the gateway refuses to start without

    @property
    def version(self) -> str:
        """The model versions behind a decision, for its audit record."""
        return self.versions(self.intent.version)

    def versions(self, intent_version: str) -> str:
        """As `version`, with the intent version that serves now (it can be swapped live)."""
        return (
            intent_version
            + (f"+claims:{self.claims.version}" if self.claims else "")
            + (f"+router:{self.router.version}" if self.router else "")
        )


def load_models(settings: Settings) -> LoadedModels:
    embedder = load_serving_embedder(settings.models_dir)  # ONNX Runtime when exported (logged)
    intent = load_intent_model(settings.models_dir, settings.intent_model_version, embedder=embedder)
    claims = (
        load_claim_classifier(settings.models_dir, embedder)
        if has_claim_classifier(settings.models_dir)
        else None
    )
    router_version = load_policy_set(settings.policies_dir).routing.router.model_version
    router = load_route_model(settings.models_dir, router_version, embedder_model_id=embedder.model_id)
    return LoadedModels(embedder, intent, claims, router)


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
    # One question is embedded by retrieval, the router and a shadow model: once, then reused.
    models = replace(models, embedder=RecentTextsEmbedder(models.embedder))
    cache_client = redis.Redis.from_url(settings.redis_url)
    startup_policies = load_policy_set(settings.policies_dir)  # hot profiles' points rate, cache storage
    program = startup_policies.program
    infra = Infrastructure(
        semantic=open_semantic_cache(
            settings.semantic_cache_path, startup_policies.routing.semantic_cache, models.embedder,
        ),
        members=SqliteMemberStore(sqlite_path(settings.member_db_url)),
        cache_client=cache_client,
        caps=FrequencyCaps(cache_client),
        profiles=HotProfiles(cache_client, points_per_dollar=program.points.points_per_dollar),
        audit=open_audit_log(settings.audit_db_url),
        llm=build_llm_route(settings),
        metrics=GatewayMetrics(),
        tracer_provider=build_tracer_provider(settings.telemetry_exporter, settings.otlp_endpoint),
    )
    intent_models = ModelRegistry(settings.models_dir, models.embedder, models.intent)
    consent_store = SqliteConsentStore(sqlite_path(settings.member_db_url))
    consent = ConsentResolver(consent_store, default_allowed=settings.consent_default == "allow")
    context = replace(await asyncio.to_thread(_context_sources, settings, models.embedder), consent=consent)
    live = LivePolicies(
        settings.policies_dir,
        partial(_bind, prompts=prompts, models=models, infra=infra, intent=intent_models, context=context),
        check_interval_s=settings.policy_check_interval_s,
    )
    write_audit = _audit_writer(infra.audit, lambda: models.versions(intent_models.version))
    offers = _offer_service(settings, live, infra.cache_client)
    pipeline = Pipeline(_stages(settings, live, prompts, intent_models, infra, write_audit=write_audit,
                                offer_ranker=offers))
    privacy = _privacy(settings, infra, live, write_audit, store=consent_store, resolver=consent)
    consumer = EventConsumer(infra.cache_client, infra.profiles, "hot-profiles", default_consumer_name(),
                             stream=settings.events_stream, on_applied=privacy.notifier.on_applied)
    services = Services(
        settings, pipeline, keys, infra.metrics, _stream_pieces, live,
        offers=offers, home_offers=HomeOffers(live, offers, write_audit),
        events=EventIngestor(infra.cache_client, stream=settings.events_stream),
        consent=privacy.preferences, erasure=privacy.erasure, store_feed=privacy.feed,
        answer_feedback=AnswerFeedbackService(infra.audit), intent_models=intent_models,
    )
    services.readiness = {
        "redis": partial(_ping_redis, infra.cache_client),
        "members": partial(_check_members, infra.members),
        "audit": partial(_check_audit, infra.audit),
        "events": consumer.check,
    }
    await consumer.start()
    # Closed in reverse order: the event consumer first, then the offer model, then the stores.
    services.closers = [*_context_closers(context), *infra.closers(), privacy.close, offers.close,
                         consumer.stop]
    return services


@dataclass(frozen=True)
class Privacy:
    """Consent, erasure and the store tablets' notifications, over the infrastructure's stores."""

    consent_store: SqliteConsentStore
    resolver: ConsentResolver  # the stitcher's and the offer ranking's consent source
    preferences: ConsentPreferences
    erasure: Erasure
    feed: StoreFeed
    notifier: StoreNotifier

    async def close(self) -> None:
        await self.notifier.close()
        await self.consent_store.close()


def _privacy(
    settings: Settings, infra: Infrastructure, live: LivePolicies[PolicyBound], write_audit: AuditWriter,
    *, store: SqliteConsentStore, resolver: ConsentResolver,
) -> Privacy:
    path = sqlite_path(settings.member_db_url)
    default_allowed = settings.consent_default == "allow"
    feed = StoreFeed(infra.cache_client)
    notifier = StoreNotifier(policies=live, members=infra.members, live=infra.profiles, consent=resolver,
                             feed=feed, write_audit=write_audit)
    # In this order; the member's own rows last, so a failed erasure can be sent again.
    erasure = Erasure({
        "offer_decisions": DecisionLogEraser(infra.cache_client),
        "frequency_caps": FrequencyCapEraser(infra.caps),
        "semantic_cache": infra.semantic,
        "event_stream": EventStreamEraser(infra.cache_client, stream=settings.events_stream),
        "hot_profile": HotProfileEraser(infra.profiles, infra.cache_client),
        "consent": store,
        "member_db": MemberRows(path),
    }, members=infra.members, write_audit=write_audit)
    preferences = ConsentPreferences(store, infra.members, default_allowed=default_allowed)
    return Privacy(store, resolver, preferences, erasure, feed, notifier)


def _offer_service(
    settings: Settings, live: LivePolicies[PolicyBound], client: redis.Redis
) -> OfferService:
    """The next-best-offer learner, restored from its last save so a restart keeps what it learned;
    its levers come from the policy set in force (`offers.yaml`, `arbitration:`) on every call."""
    store = FileModelStore(settings.models_dir / "offers.nbo")
    policies = live.current.policies
    scorer = OfferScorer.load(store, policy=policies.offers.arbitration, margins=policies.margins)
    return OfferService(scorer, RedisDecisionLog(client), store, policies=lambda: live.current.policies)


def _audit_writer(audit: AuditLog, model_version: Callable[[], str]) -> AuditWriter:
    async def write_audit(turn: Turn) -> None:
        await audit.append(record_from_turn(turn, model_version=model_version()))

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
    semantic: SemanticCache  # one per process; its scopes carry the policy version

    def closers(self) -> list[Callable[[], Awaitable[None]]]:
        closers = [self.members.close, self.cache_client.aclose, self.audit.close,
                   _shutdown(self.tracer_provider), self.semantic.close]
        if self.llm is not None:
            closers.append(self.llm.aclose)
        return closers


def _bind(
    policies: PolicySet, *, prompts: PromptRegistry, models: LoadedModels, infra: Infrastructure,
    intent: ModelRegistry, context: ContextSources,
) -> PolicyBound:
    """Everything that depends on a policy version, built again on each reload."""
    answers_version = prompts.version_of_folder("answers")
    router = Router(
        policies.routing,
        intent,
        ExactCache(infra.cache_client, policies.routing.exact_cache_ttl_s),
        llm_available=infra.llm is not None,
        scope_for=lambda turn: CacheScope(
            turn.channel.value, turn.metadata.locale, answers_version, policies.version
        ),
        route_model=_route_model(models, policies),
        embedder=models.embedder,
        semantic=infra.semantic,
    )
    offers = PolicyOfferDecider(
        policies.program, policies.margins, policies.offers, store=infra.members, caps=infra.caps
    )
    stitcher = ContextStitcher(
        infra.members, prompts, offers, clock=lambda: datetime.now(UTC), live=infra.profiles,
        sources=_never_suggest(context, policies),
    )
    return PolicyBound(
        screen=InputScreen(policies.input_rails),
        offers=offers,
        stitcher=stitcher,
        router=router,
        gate=Gate(policies.governance, policies.version, semantic=models.claims),
    )


def _context_sources(settings: Settings, embedder: Embedder) -> ContextSources:
    """Knowledge, catalog vectors and weather for the prompt (catalog vectors only once built)."""
    catalog = (
        CatalogVectors.load(settings.catalog_vectors_dir)
        if (settings.catalog_vectors_dir / CURRENT).is_file() else None
    )
    weather: WeatherProvider = ChannelWeather()
    if settings.weather_api_base:
        weather = HttpWeatherProvider(
            settings.weather_api_base, settings.weather_api_key.get_secret_value(),
            timeout_s=settings.weather_timeout_s, ttl_s=settings.weather_cache_ttl_s,
        )
    return ContextSources(
        weather=weather,
        knowledge=KnowledgeBase.from_folder(
            settings.knowledge_dir, embedder, top_k=settings.knowledge_in_context
        ),
        catalog=catalog,
        count_tokens=litellm_counter(settings.llm_model),
        token_budget=settings.context_token_budget,
        knowledge_in_context=settings.knowledge_in_context,
    )


def _never_suggest(context: ContextSources, policies: PolicySet) -> ContextSources:
    """Promotions and complements never name what the offer policy never promotes."""
    rules = policies.offers.eligibility
    return replace(
        context,
        never_suggest_departments=frozenset(d.upper() for d in rules.excluded_departments),
        never_suggest_categories=frozenset(c.upper() for c in rules.excluded_categories),
    )


def _context_closers(context: ContextSources) -> list[Callable[[], Awaitable[None]]]:
    parts = (context.weather, context.knowledge, context.catalog)
    owned = HttpWeatherProvider | KnowledgeBase | CatalogVectors
    return [part.aclose for part in parts if isinstance(part, owned)]


def _route_model(models: LoadedModels, policies: PolicySet) -> RouteModel:
    """The loaded route model, if it is the version the routing policy names."""
    wanted = policies.routing.router.model_version
    if models.router is None:
        raise ConfigError("no route model is loaded: run `loyalty-gateway train`")
    if wanted not in ("latest", models.router.version):
        raise ConfigError(
            f"routing.yaml asks for route model {wanted}, the gateway runs {models.router.version}: restart"
        )
    return models.router


def _stages(
    settings: Settings, live: LivePolicies[PolicyBound], prompts: PromptRegistry,
    intent: ModelRegistry, infra: Infrastructure, *, write_audit: AuditWriter,
    offer_ranker: OfferRanker | None = None,
) -> Stages:
    return Stages(
        limits=Limits(settings.max_message_chars, settings.max_messages),
        policies=live,
        responder=SmallModelResponder(prompts, lambda: intent.version),
        llm=infra.llm,
        prompts=prompts,
        write_audit=write_audit,
        recorder=StageRecorder(infra.tracer_provider.get_tracer("gateway"), infra.metrics),
        shadow=ShadowObserver(intent, shadow_counter(infra.metrics.registry)),
        offer_ranker=offer_ranker,
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
