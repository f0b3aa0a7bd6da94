"""The part of a turn's context the gate judged against, as plain data for the audit.

Stored with every audit record so that a changed policy can be replayed over
recorded turns (`loyalty-gateway policy replay`) against the same facts the
original decision saw, not against today's data.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from gateway.consent import EVERYTHING_ALLOWED, ConsentDecision, Purpose
from gateway.turn import ContextFact, Member, MemberContext, Offer, RequestMetadata, StoreInfo


def context_snapshot(context: MemberContext) -> dict[str, Any]:
    """Also which facts the prompt could use and which the budget dropped, the extra
    sections' texts (weather, promotions, knowledge, complements) and the consent."""
    return {
        "member": _plain(asdict(context.member)),
        "offers": [_plain(asdict(o)) for o in context.offers],
        "store": asdict(context.store) if context.store else None,
        "metadata": asdict(context.metadata),
        "now": context.now.isoformat(),
        "context_facts": {"used": list(context.facts_used), "dropped": list(context.facts_dropped)},
        "facts": [{"id": f.fact_id, "section": f.section, "text": f.text} for f in context.facts],
        "consent": context.consent.for_audit(),
    }


def context_from_snapshot(data: dict[str, Any]) -> MemberContext:
    member = dict(data["member"])
    member["points_expire_on"] = date.fromisoformat(member["points_expire_on"])
    offers = []
    for raw in data["offers"]:
        offer = dict(raw)
        offer["valid_until"] = date.fromisoformat(offer["valid_until"])
        offers.append(Offer(**offer))
    store = StoreInfo(**data["store"]) if data.get("store") else None
    return MemberContext(
        member=Member(**member),
        recent_purchases=(),
        offers=tuple(offers),
        store=store,
        metadata=RequestMetadata(**data["metadata"]),
        now=datetime.fromisoformat(data["now"]),
        consent=_consent(data.get("consent")),
        facts=tuple(ContextFact(f["id"], f["section"], f["text"], 0) for f in data.get("facts", ())),
        facts_used=tuple(data.get("context_facts", {}).get("used", ())),
        facts_dropped=tuple(data.get("context_facts", {}).get("dropped", ())),
    )


def _consent(data: dict[str, Any] | None) -> ConsentDecision:
    """Records written before consent was recorded allowed everything."""
    if data is None:
        return EVERYTHING_ALLOWED
    return ConsentDecision(
        allowed=frozenset(Purpose(p) for p in data["allowed"]),
        refused_because={Purpose(p): str(why) for p, why in data["refused"].items()},
    )


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
