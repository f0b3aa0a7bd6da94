"""Redis key names, in one place.

Keys that one Lua script touches together share a hash tag (the part in braces),
so the scripts also run on Redis Cluster, where a script's keys must live in one
slot. The stream's own name has no braces: Redis then hashes the whole name,
which is exactly what the tag `{lg:events:v1}` hashes too.
"""

from __future__ import annotations

from dataclasses import dataclass

STREAM = "lg:events:v1"
DEAD_LETTER_SUFFIX = ":dead"
_PROFILE_PREFIX = "lg:hot:v1:"


def seen_key(stream: str, event_id: str) -> str:
    """Marks an event id as taken (idempotency); in the stream's slot."""
    return f"{{{stream}}}:seen:{event_id}"


@dataclass(frozen=True)
class ProfileKeys:
    """A member's hot profile, the ids of events applied to it, and an erasure mark."""

    profile: str
    applied: str
    erased: str

    @classmethod
    def of(cls, member_id: str) -> ProfileKeys:
        base = f"{_PROFILE_PREFIX}{{{member_id}}}"
        return cls(profile=base, applied=f"{base}:applied", erased=f"{base}:erased")

    def all(self) -> tuple[str, str, str]:
        return (self.profile, self.applied, self.erased)
