"""open_audit_log: the URL in settings picks the store, and nothing else is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.audit import PostgresAuditLog, SqliteAuditLog, open_audit_log
from gateway.exceptions import ConfigError


def test_sqlite_url_opens_the_file_it_names(tmp_path: Path) -> None:
    log = open_audit_log(f"sqlite:///{tmp_path / 'a' / 'audit.db'}")

    assert isinstance(log, SqliteAuditLog)
    assert log.path == tmp_path / "a" / "audit.db"


def test_sqlite_url_with_three_slashes_is_relative() -> None:
    log = open_audit_log("sqlite:///var/audit.db")

    assert isinstance(log, SqliteAuditLog)
    assert log.path == Path("var/audit.db")


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:5432/test", "postgres://u:p@db/audit"])
def test_postgres_urls_open_a_postgres_log_without_connecting(url: str) -> None:
    assert isinstance(open_audit_log(url), PostgresAuditLog)


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite://relative.db", "sqlite:///", "/var/audit.db", ""])
def test_unknown_url_scheme_is_refused_with_accepted_schemes(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_audit_log(url)

    for scheme in ("sqlite:///", "postgresql://", "postgres://"):
        assert scheme in caught.value.message


def test_refusal_does_not_echo_credentials_from_the_url() -> None:
    with pytest.raises(ConfigError) as caught:
        open_audit_log("mssql://admin:hunter2@db/audit")

    assert "hunter2" not in caught.value.message
