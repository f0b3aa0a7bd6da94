"""Channel keys: hashed at rest, scoped, development keys refused in production."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gateway.api.keys import KeyRing, Scope, hash_key
from gateway.exceptions import AuthError, ConfigError, ScopeError
from gateway.settings import PROJECT_ROOT
from gateway.turn import Channel

DEV_KEYS = PROJECT_ROOT / "deploy" / "channel-keys.dev.yaml"


def test_each_documented_dev_key_authenticates_as_its_channel() -> None:
    ring = KeyRing.load(DEV_KEYS, production=False)
    for channel in Channel:
        assert ring.authenticate(f"Bearer dev-{channel.value}-key").channel is channel


def test_the_keys_file_holds_hashes_not_keys() -> None:
    entries = yaml.safe_load(DEV_KEYS.read_text())["keys"]
    assert all(set(entry) == {"channel", "key_sha256", "scopes"} for entry in entries)
    assert hash_key("dev-app-key") in {entry["key_sha256"] for entry in entries}


def test_an_unknown_key_is_refused() -> None:
    ring = KeyRing.load(DEV_KEYS, production=False)
    with pytest.raises(AuthError, match="unknown API key"):
        ring.authenticate("Bearer not-a-key")


def test_a_missing_header_says_how_to_send_the_key() -> None:
    ring = KeyRing.load(DEV_KEYS, production=False)
    with pytest.raises(AuthError, match="Authorization: Bearer"):
        ring.authenticate(None)


def test_a_kiosk_key_cannot_read_the_audit_log() -> None:
    ring = KeyRing.load(DEV_KEYS, production=False)
    caller = ring.authenticate("Bearer dev-kiosk-key")
    with pytest.raises(ScopeError, match="audit:read"):
        KeyRing.require(caller, Scope.AUDIT_READ)


def test_development_keys_are_refused_in_production() -> None:
    with pytest.raises(ConfigError, match="refused when GATEWAY_ENV=production"):
        KeyRing.load(DEV_KEYS, production=True)


def test_a_misspelt_key_in_the_file_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "keys.yaml"
    bad.write_text(
        "development_only: false\nkeys:\n  - channel: app\n"
        f"    key_sha256: {hash_key('k')}\n    scope: [chat]\n"
    )
    with pytest.raises(ConfigError) as err:
        KeyRing.load(bad, production=True)
    assert f"{bad}:3" in err.value.message or f"{bad}:5" in err.value.message
    assert "scope" in err.value.message
