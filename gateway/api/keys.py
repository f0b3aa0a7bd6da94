"""Channel API keys: stored as SHA-256 hashes with scopes, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import Field

from gateway.exceptions import AuthError, ConfigError, ScopeError
from gateway.policy.yamlfile import StrictModel, load_model
from gateway.turn import Channel


class Scope(StrEnum):
    CHAT = "chat"
    EVENTS = "events"
    AUDIT_READ = "audit:read"
    ADMIN = "admin"


class ChannelKeyEntry(StrictModel):
    channel: Channel
    key_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    scopes: frozenset[Scope] = Field(min_length=1)


class ChannelKeysFile(StrictModel):
    development_only: bool
    keys: tuple[ChannelKeyEntry, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Caller:
    channel: Channel
    scopes: frozenset[Scope]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    def __init__(self, entries: tuple[ChannelKeyEntry, ...]) -> None:
        self._entries = entries

    @classmethod
    def load(cls, path: Path, *, production: bool) -> KeyRing:
        keys, _ = load_model(path, ChannelKeysFile)
        if production and keys.development_only:
            raise ConfigError(
                f"{path}: development keys are refused when GATEWAY_ENV=production; "
                "point CHANNEL_KEYS_FILE at a file of your own hashed keys"
            )
        return cls(keys.keys)

    def authenticate(self, authorization: str | None) -> Caller:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise AuthError("send the channel's API key as 'Authorization: Bearer <key>'")
        digest = hash_key(authorization[7:].strip())
        for entry in self._entries:
            if hmac.compare_digest(entry.key_sha256, digest):
                return Caller(entry.channel, entry.scopes)
        raise AuthError("unknown API key")

    @staticmethod
    def require(caller: Caller, scope: Scope) -> None:
        if scope not in caller.scopes:
            raise ScopeError(f"the {caller.channel.value} channel's key lacks the '{scope}' scope")
