"""Settings: environment variables over `.env` over defaults (pydantic-settings order).

Every field is documented in `.env.example`. Secrets are `SecretStr` and are
never logged. The defaults run the whole gateway on one machine with no setup:
SQLite files under `var/`, the local Redis, no hosted LLM.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.exceptions import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    gateway_env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)

    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""  # empty: sqlite file var/loyalty.db
    audit_url: str = ""  # empty: sqlite file var/audit.db; or postgresql://...
    redis_url: str = "redis://127.0.0.1:6379/0"

    prompts_dir: Path = PROJECT_ROOT / "prompts"
    policies_dir: Path = PROJECT_ROOT / "policies"
    models_dir: Path = PROJECT_ROOT / "var" / "models"
    intent_model_version: str = "latest"
    policy_check_interval_s: float = Field(default=1.0, ge=0)
    channel_keys_file: Path = PROJECT_ROOT / "deploy" / "channel-keys.dev.yaml"

    llm_model: str = ""  # empty: no hosted LLM; open questions get a governed fallback
    llm_api_base: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_config_file: Path | None = None  # a litellm Router model_list YAML
    llm_timeout_s: float = Field(default=20.0, gt=0)
    llm_retries: int = Field(default=1, ge=0, le=5)

    exact_cache_ttl_s: int = Field(default=3600, ge=1)
    max_message_chars: int = Field(default=4000, ge=1)
    max_messages: int = Field(default=32, ge=1)
    max_request_bytes: int = Field(default=256_000, ge=1024)

    telemetry_exporter: Literal["none", "console", "otlp"] = "none"
    otlp_endpoint: str = ""

    @field_validator("llm_config_file", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def member_db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'loyalty.db'}"

    @property
    def audit_db_url(self) -> str:
        return self.audit_url or f"sqlite:///{self.data_dir / 'audit.db'}"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_model) or self.llm_config_file is not None


def load_settings(**overrides: object) -> Settings:
    """Read settings once; a bad value is one ConfigError that names the field."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from e
