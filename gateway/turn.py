"""The types that travel between the stages.

A `Turn` is created by the API from one chat request and handed through
dataprep → context → routing → generation → governance → audit. Each stage
reads what earlier stages added and fills in its own field; no stage reaches
into another's internals. Everything here is plain data: no I/O, no clients.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

from gateway.consent import EVERYTHING_ALLOWED, ConsentDecision


class Channel(StrEnum):
    """The touchpoint a request comes from; each has its own API key and scopes."""

    APP = "app"
    KIOSK = "kiosk"
    ASSOCIATE = "associate"
    COMPLIANCE = "compliance"


class Route(StrEnum):
    """Where an answer came from, cheapest first."""

    CACHE = "cache"
    SMALL_MODEL = "small_model"
    LLM = "llm"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class RequestMetadata:
    """Channel context sent with a request (all optional)."""

    store_id: str | None = None
    location: str | None = None
    weather: str | None = None
    locale: str = "en-US"
    gpc: bool = False  # the channel relayed a Global Privacy Control signal (Sec-GPC: 1)


@dataclass(frozen=True)
class Member:
    """A loyalty member's standing, derived from purchase history at seed time."""

    member_id: str
    tier: str
    points: int
    points_expiring: int
    points_expire_on: date
    annual_spend: float
    next_tier: str | None
    spend_to_next_tier: float
    home_store_id: str | None
    age_band: str | None = None
    income_band: str | None = None


@dataclass(frozen=True)
class Purchase:
    day: date
    product: str
    department: str
    category: str
    quantity: int
    amount: float
    store_id: str


@dataclass(frozen=True)
class Offer:
    """An approved offer with exact terms; the only kind of offer an answer may carry."""

    offer_id: str
    title: str
    department: str
    category: str
    discount_pct: int
    min_tier: str
    valid_until: date

    def render(self) -> str:
        """The approved wording that the gateway (never the model) puts in an answer."""
        return (
            f"{self.title}: {self.discount_pct}% off {self.category.lower()} "
            f"({self.min_tier} tier and above, valid until {self.valid_until.isoformat()})"
        )


@dataclass(frozen=True)
class StoreInfo:
    store_id: str
    name: str
    hours: str


@dataclass(frozen=True)
class ContextFact:
    """One fact offered to the prompt, with how useful it is (higher is kept longer).

    `section` names where the prompt shows it: "weather", "promotions", "knowledge",
    "complements" (the sections beside the member's own facts).
    """

    fact_id: str
    section: str
    text: str
    priority: int
    tokens: int = 0


@dataclass(frozen=True)
class MemberContext:
    """Everything known about the member for this turn, stitched from the stores."""

    member: Member
    recent_purchases: tuple[Purchase, ...]
    offers: tuple[Offer, ...]
    store: StoreInfo | None
    metadata: RequestMetadata
    now: datetime
    moments: tuple[str, ...] = ()  # what just happened (events since the last seed), newest first
    consent: ConsentDecision = EVERYTHING_ALLOWED  # the purposes this member allowed for this turn
    facts: tuple[ContextFact, ...] = ()  # weather, promotions, knowledge, complements that fit the budget
    facts_used: tuple[str, ...] = ()  # ids of every fact the prompt shows, member facts included
    facts_dropped: tuple[str, ...] = ()  # ids left out to fit the token budget, least useful first

    def offer(self, offer_id: str) -> Offer | None:
        return next((o for o in self.offers if o.offer_id == offer_id), None)


@dataclass(frozen=True)
class RenderedPrompt:
    template: str
    version: str  # content hash of the template file
    messages: tuple[ChatMessage, ...]


@dataclass(frozen=True)
class RouteDecision:
    route: Route
    reason: str
    intent: str | None = None
    confidence: float | None = None
    cache_key: str | None = None
    similarity: float | None = None  # semantic cache hit: cosine of the query to the entry
    threshold: float | None = None  # semantic cache hit: the threshold in force
    cache_entry_id: str | None = None  # semantic cache hit: the entry served
    cached_text: str | None = None  # semantic cache hit on a shareable answer: its text


@dataclass(frozen=True)
class Draft:
    """What a route produced, before governance."""

    text: str
    route: Route
    model: str
    prompt_version: str | None = None
    upstream_latency_ms: float | None = None
    note: str | None = None  # e.g. "no LLM provider configured"


@dataclass(frozen=True)
class Violation:
    code: str  # e.g. "ungrounded_discount", "unknown_offer", "pii_email"
    policy: str  # the policy file/section that the rule comes from
    excerpt: str  # the offending text
    message: str


GateAction = Literal["pass", "repaired", "replaced"]


@dataclass(frozen=True)
class Verdict:
    action: GateAction
    final_text: str
    violations: tuple[Violation, ...]
    offers_rendered: tuple[str, ...]
    policy_version: str

    @property
    def passed(self) -> bool:
        return self.action == "pass"


def new_decision_id() -> str:
    return f"dec_{uuid.uuid4().hex}"


@dataclass
class Turn:
    """One request on its way through the pipeline; each stage fills in its part."""

    channel: Channel
    member_id: str
    messages: tuple[ChatMessage, ...]
    metadata: RequestMetadata
    requested_model: str
    stream: bool = False
    decision_id: str = field(default_factory=new_decision_id)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    query: str = ""
    flags: list[str] = field(default_factory=list)
    context: MemberContext | None = None
    prompt: RenderedPrompt | None = None
    route: RouteDecision | None = None
    draft: Draft | None = None
    verdict: Verdict | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
