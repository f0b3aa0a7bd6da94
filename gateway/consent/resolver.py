"""`ConsentResolver`: what a member allowed for one decision, from their stored choices and the request.

    decide(member_id, metadata) -> ConsentDecision

Rules, in this order:

1. a purpose the member refused is refused, with reason "member opt-out" (or "gpc" when
   the refusal was recorded from a Global Privacy Control signal, see `gateway.consent`);
2. a request whose channel relayed a GPC signal (`metadata.gpc`) refuses profiling with
   reason "gpc", whatever is stored: GPC is the "do not sell or share" signal, and the
   offer bandit's member features are profiling for marketing;
3. anything else is allowed by default (`default_allowed=True`): the demo program's terms
   are the basis for personalization, and members opt out. A deployment whose law
   requires opt-in sets `CONSENT_DEFAULT=refuse`; a purpose nobody decided is then
   refused with reason "no consent given".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from gateway.consent._types import ConsentDecision, Purpose
from gateway.consent.store import ConsentEntry

if TYPE_CHECKING:  # gateway.turn imports this package for the decision's type
    from gateway.turn import RequestMetadata

MEMBER_OPT_OUT = "member opt-out"
GPC = "gpc"
NO_CONSENT = "no consent given"
GPC_SOURCE = "gpc"  # the `source` of a refusal recorded from a relayed GPC signal


class ConsentSource(Protocol):
    """What the stages ask (the stitcher, offers, clienteling)."""

    async def decide(self, member_id: str, metadata: RequestMetadata) -> ConsentDecision: ...


class StoredConsent(Protocol):
    async def get(self, member_id: str) -> dict[Purpose, ConsentEntry]: ...


class ConsentResolver:
    """Implements `ConsentSource` over a consent store."""

    def __init__(self, store: StoredConsent, *, default_allowed: bool = True) -> None:
        self._store = store
        self._default_allowed = default_allowed

    async def decide(self, member_id: str, metadata: RequestMetadata) -> ConsentDecision:
        return resolve(await self._store.get(member_id), gpc=metadata.gpc,
                       default_allowed=self._default_allowed)


def resolve(
    stored: dict[Purpose, ConsentEntry], *, gpc: bool, default_allowed: bool = True
) -> ConsentDecision:
    """The decision for stored choices and a request's GPC signal (pure)."""
    refused: dict[Purpose, str] = {}
    for purpose in Purpose:
        entry = stored.get(purpose)
        if entry is not None and not entry.allowed:
            refused[purpose] = GPC if entry.source == GPC_SOURCE else MEMBER_OPT_OUT
        elif entry is None and not default_allowed:
            refused[purpose] = NO_CONSENT
    if gpc:
        refused.setdefault(Purpose.PROFILING, GPC)
    allowed = frozenset(p for p in Purpose if p not in refused)
    return ConsentDecision(allowed=allowed, refused_because=refused)
