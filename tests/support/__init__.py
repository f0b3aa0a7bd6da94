"""Test-only helpers: real servers on loopback instead of mocks and patches."""

from .upstream import RecordedRequest, Script, UpstreamServer

__all__ = ["RecordedRequest", "Script", "UpstreamServer"]
