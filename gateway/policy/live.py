"""Policies that change without a restart, and never to a bad version.

`LivePolicies` holds the current policy set and what the gateway built from it
(the gate, the router, ...). `refresh()` is cheap (a `stat` of each policy
file) and runs before each request: when a file changed, the whole set is
loaded, validated and built again, and only then swapped in, atomically. A
file that fails validation is refused: the running gateway keeps the last good
version and reports the error (`last_error`, the admin endpoint, a metric).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from gateway.exceptions import ConfigError
from gateway.policy.loader import PolicySet, load_policy_set

BuiltT = TypeVar("BuiltT")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolicySnapshot(Generic[BuiltT]):
    policies: PolicySet
    built: BuiltT
    loaded_at: float


@dataclass(frozen=True)
class ReloadResult:
    changed: bool
    version: str
    error: str | None = None


class LivePolicies(Generic[BuiltT]):
    def __init__(
        self, folder: Path, build: Callable[[PolicySet], BuiltT], *, check_interval_s: float = 1.0
    ) -> None:
        self._folder = folder
        self._build = build
        self._interval = check_interval_s
        self._snapshot = self._load()  # a bad set at start-up is a ConfigError: refuse to start
        self._fingerprint = self._stat()
        self._checked_at = time.monotonic()
        self.last_error: str | None = None
        self.failures = 0

    @property
    def current(self) -> PolicySnapshot[BuiltT]:
        return self._snapshot

    def refresh(self) -> ReloadResult:
        """Reload when a policy file changed since the last look (at most every interval)."""
        now = time.monotonic()
        if now - self._checked_at < self._interval:
            return ReloadResult(False, self._snapshot.policies.version)
        self._checked_at = now
        if self._stat() == self._fingerprint:
            return ReloadResult(False, self._snapshot.policies.version)
        return self.reload()

    def reload(self) -> ReloadResult:
        """Load, validate and build the whole set; swap it in only if all of that worked."""
        fingerprint = self._stat()
        try:
            snapshot = self._load()
        except ConfigError as e:
            self._fingerprint = fingerprint  # do not retry the same bad files on every request
            self.last_error, self.failures = e.message, self.failures + 1
            _log.warning("policy reload refused; keeping version %s: %s",
                         self._snapshot.policies.version, e.message)
            return ReloadResult(False, self._snapshot.policies.version, e.message)
        changed = snapshot.policies.version != self._snapshot.policies.version
        self._snapshot, self._fingerprint, self.last_error = snapshot, fingerprint, None
        if changed:
            _log.info("policies now at version %s", snapshot.policies.version)
        return ReloadResult(changed, snapshot.policies.version)

    def _load(self) -> PolicySnapshot[BuiltT]:
        policies = load_policy_set(self._folder)
        return PolicySnapshot(policies, self._build(policies), time.time())

    def _stat(self) -> tuple[tuple[str, int, int], ...]:
        stats = []
        for path in sorted(self._folder.glob("*.yaml")):
            try:
                st = path.stat()
            except OSError:
                continue
            stats.append((path.name, st.st_mtime_ns, st.st_size))
        return tuple(stats)
