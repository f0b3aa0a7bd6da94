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
    semantic_cache_path: Path | None = None  # empty: the semantic cache lives in memory
    max_message_chars: int = Field(default=4000, ge=1)
    max_messages: int = Field(default=32, ge=1)
    max_request_bytes: int = Field(default=256_000, ge=1024)

    # Consent for a purpose the member never decided on: allow (members opt out) or refuse (opt in).
    consent_default: Literal["allow", "refuse"] = "allow"
    events_stream: str = Field(  # the Redis stream of POST /v1/events (no braces, globs or spaces)
        default="lg:events:v1", min_length=1, max_length=100, pattern=r"^[^{}*?\[\]\s]+$"
    )
    notifications_ping_s: float = Field(default=15.0, gt=0, le=300)  # SSE keep-alive to store tablets

    telemetry_exporter: Literal["none", "console", "otlp"] = "none"
    otlp_endpoint: str = ""

    # Context stitching (gateway/context): knowledge documents, catalog vectors, weather, budget.
    knowledge_dir: Path = PROJECT_ROOT / "prompts" / "knowledge"
    knowledge_in_context: int = Field(default=3, ge=0, le=10)
    catalog_vectors_dir: Path = PROJECT_ROOT / "var" / "catalog"  # empty or missing: no complements
    catalog_min_baskets: int = Field(default=20, ge=2)
    context_token_budget: int = Field(default=600, ge=50, le=8000)
    weather_api_base: str = ""  # empty: only the weather the channel sends
    weather_api_key: SecretStr = SecretStr("")
    weather_timeout_s: float = Field(default=1.0, gt=0, le=10)
    weather_cache_ttl_s: float = Field(default=600.0, ge=0)

    @field_validator("llm_config_file", "semantic_cache_path", mode="before")
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
