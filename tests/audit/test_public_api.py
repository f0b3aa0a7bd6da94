"""The package's public surface is exactly what `__all__` says."""

from __future__ import annotations

import gateway.audit


def test_every_exported_name_exists() -> None:
    missing = [name for name in gateway.audit.__all__ if not hasattr(gateway.audit, name)]

    assert missing == []


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(gateway.audit).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("gateway.audit")
    }

    assert public <= set(gateway.audit.__all__)


def test_both_stores_satisfy_the_audit_log_protocol() -> None:
    # mypy checks the signatures (open_audit_log returns either as AuditLog);
    # this keeps a test-visible record of the method names.
    wanted = {"append", "get", "recent", "verify", "close"}
    for store in (gateway.audit.SqliteAuditLog, gateway.audit.PostgresAuditLog):
        assert wanted <= set(dir(store)), store
