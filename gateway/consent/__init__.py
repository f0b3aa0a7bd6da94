"""Consent bound to purpose: what a member allowed the gateway to use their data for.

A decision names the purposes allowed for this turn. Every stage that uses a
member's data for one of these purposes asks the decision first and leaves the
features out when the purpose is not allowed; the audit keeps the decision.

    personalization  purchase history, recent moments and interests in answers and offers
    profiling        learned scoring for marketing (the offer bandit's member features)
    location         store entered, location pings, the channel's location, store notifications

A Global Privacy Control signal sent by the channel opts the member out of
profiling for marketing (the "sale or sharing" opt-out), whatever the stored consent says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Purpose(StrEnum):
    PERSONALIZATION = "personalization"
    PROFILING = "profiling"
    LOCATION = "location"


@dataclass(frozen=True)
class ConsentDecision:
    """The purposes allowed for one decision, and why each refused one was refused."""

    allowed: frozenset[Purpose] = frozenset(Purpose)
    refused_because: dict[Purpose, str] = field(default_factory=dict)

    def allows(self, purpose: Purpose) -> bool:
        return purpose in self.allowed

    def for_audit(self) -> dict[str, object]:
        return {
            "allowed": sorted(p.value for p in self.allowed),
            "refused": {p.value: why for p, why in sorted(self.refused_because.items())},
        }


EVERYTHING_ALLOWED = ConsentDecision()

__all__ = ["EVERYTHING_ALLOWED", "ConsentDecision", "Purpose"]
