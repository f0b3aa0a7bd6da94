"""The part of a turn's context the gate judged against, as plain data for the audit.

Stored with every audit record so that a changed policy can be replayed over
recorded turns (`loyalty-gateway policy replay`) against the same facts the
original decision saw, not against today's data.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from gateway.turn import Member, MemberContext, Offer, RequestMetadata, StoreInfo


def context_snapshot(context: MemberContext) -> dict[str, Any]:
    return {
        "member": _plain(asdict(context.member)),
        "offers": [_plain(asdict(o)) for o in context.offers],
        "store": asdict(context.store) if context.store else None,
        "metadata": asdict(context.metadata),
        "now": context.now.isoformat(),
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
    )


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
