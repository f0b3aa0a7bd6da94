"""The consent types every stage reads: plain data, no I/O (imported by `gateway.turn`)."""

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
