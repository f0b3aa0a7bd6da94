"""What one audit record says about a decision, and its canonical JSON form.

A record is a snapshot taken from a `Turn` after governance: it names the
causes of the answer (route and why, prompt and policy versions, model and its
version, the facts used) next to the original draft and the final text, so a
compliance reviewer can see both what the model said and what the gate let out.

The canonical JSON (sorted keys, no spaces, ASCII only, no NaN) is what gets
hashed, so the same record must always give the same text. ASCII escaping also
keeps lone surrogates and NUL characters from the request storable in any
database's text column.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from gateway.turn import MemberContext, Turn

SCHEMA_VERSION = 1


def canonical_json(value: Any) -> str:
    """The one text form that is hashed: deterministic for equal JSON values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def iso_utc(moment: datetime) -> str:
    """Fixed-width ISO 8601 in UTC, so stored strings also sort by time.

    A naive datetime is taken to be UTC already (the Turn's default is aware).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class RouteInfo:
    route: str
    reason: str
    intent: str | None
    confidence: float | None
    cache_key: str | None
    # A semantic cache hit: how close the query was, the threshold in force, the entry served.
    similarity: float | None = None
    threshold: float | None = None
    cache_entry_id: str | None = None


@dataclass(frozen=True)
class ViolationInfo:
    code: str
    policy: str
    excerpt: str
    message: str


@dataclass(frozen=True)
class FactsUsed:
    """The member facts the answer could rest on (not the whole profile)."""

    member_tier: str
    member_points: int
    offer_ids: tuple[str, ...]
    recent_purchase_count: int
    store_id: str | None


@dataclass(frozen=True)
class AuditRecord:
    """One decision, as it is hashed and stored. `extra` and `timings_ms` are copies."""

    decision_id: str
    created_at: str
    channel: str
    member_id: str
    requested_model: str
    query: str
    flags: tuple[str, ...]
    route: RouteInfo | None
    prompt_template: str | None
    prompt_version: str | None
    policy_version: str | None
    model: str | None
    model_version: str | None
    draft_route: str | None
    draft_note: str | None
    draft_text: str | None
    final_text: str | None
    gate_action: str | None
    violations: tuple[ViolationInfo, ...]
    offers_rendered: tuple[str, ...]
    facts: FactsUsed | None
    timings_ms: dict[str, float | None]
    extra: dict[str, Any]
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        # Stores index and sort by this time; refuse a value they could not read back.
        if self.created_datetime.tzinfo is None:
            raise ValueError(f"created_at needs a UTC offset: {self.created_at!r}")

    @property
    def created_datetime(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    def to_dict(self) -> dict[str, Any]:
        # Fields already hold JSON-ready values; this turns nested records into dicts.
        data: dict[str, Any] = _jsonable(self)
        return data

    def to_json(self) -> str:
        return canonical_json(self.to_dict())

    @classmethod
    def from_payload(cls, payload: str) -> AuditRecord:
        """Read a stored payload back; the inverse of `to_json` for this schema version."""
        data = json.loads(payload)
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"unknown audit schema version: {data.get('schema_version')!r}")
        route, facts = data["route"], data["facts"]
        return cls(
            **{
                **data,
                "flags": tuple(data["flags"]),
                "offers_rendered": tuple(data["offers_rendered"]),
                "violations": tuple(ViolationInfo(**v) for v in data["violations"]),
                "route": RouteInfo(**route) if route is not None else None,
                "facts": (
                    FactsUsed(**{**facts, "offer_ids": tuple(facts["offer_ids"])})
                    if facts is not None
                    else None
                ),
            }
        )


def record_from_turn(turn: Turn, *, model_version: str | None) -> AuditRecord:
    """Capture the why of one decision; pure, and a copy, so later edits to the Turn
    cannot change what was recorded. Fields the pipeline did not fill stay None."""
    draft, verdict, prompt = turn.draft, turn.verdict, turn.prompt
    return AuditRecord(
        decision_id=turn.decision_id,
        created_at=iso_utc(turn.started_at),
        channel=turn.channel.value,
        member_id=turn.member_id,
        requested_model=turn.requested_model,
        query=turn.query,
        flags=tuple(turn.flags),
        route=_route_info(turn),
        prompt_template=prompt.template if prompt else None,
        prompt_version=prompt.version if prompt else (draft.prompt_version if draft else None),
        policy_version=verdict.policy_version if verdict else None,
        model=draft.model if draft else None,
        model_version=model_version,
        draft_route=draft.route.value if draft else None,
        draft_note=draft.note if draft else None,
        draft_text=draft.text if draft else None,
        final_text=verdict.final_text if verdict else None,
        gate_action=verdict.action if verdict else None,
        violations=tuple(
            ViolationInfo(v.code, v.policy, v.excerpt, v.message)
            for v in (verdict.violations if verdict else ())
        ),
        offers_rendered=tuple(verdict.offers_rendered) if verdict else (),
        facts=_facts(turn.context) if turn.context else None,
        timings_ms={k: _finite(v) for k, v in turn.timings_ms.items()},
        extra=_jsonable(turn.extra),
    )


def _route_info(turn: Turn) -> RouteInfo | None:
    decision = turn.route
    if decision is None:
        return None
    return RouteInfo(
        route=decision.route.value,
        reason=decision.reason,
        intent=decision.intent,
        confidence=_finite(decision.confidence),
        cache_key=decision.cache_key,
        similarity=_finite(decision.similarity),
        threshold=_finite(decision.threshold),
        cache_entry_id=decision.cache_entry_id,
    )


def _facts(context: MemberContext) -> FactsUsed:
    store_id = context.store.store_id if context.store else context.metadata.store_id
    return FactsUsed(
        member_tier=context.member.tier,
        member_points=context.member.points,
        offer_ids=tuple(o.offer_id for o in context.offers),
        recent_purchase_count=len(context.recent_purchases),
        store_id=store_id,
    )


def _finite(value: float | None) -> float | None:
    """NaN and infinities are not JSON; the record says "unknown" (null) instead."""
    if value is None or math.isfinite(value):
        return value
    return None


def _jsonable(value: Any) -> Any:  # noqa: PLR0911 - one branch per JSON-able kind
    """A deep, JSON-ready copy of `value`; anything unknown is kept as its str()."""
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=canonical_json)
    return str(value)
