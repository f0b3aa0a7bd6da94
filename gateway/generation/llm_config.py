"""What the hosted-LLM route calls: one deployment from settings, or a litellm Router file.

Two ways to configure it (setting both is an error, setting neither means no
hosted LLM):

* `LLM_MODEL` (+ `LLM_API_BASE`, `LLM_API_KEY`): one deployment. A bare model
  name with an api_base is routed as an OpenAI-compatible server (`openai/<model>`),
  so vLLM, Ollama, LM Studio or any proxy work without knowing litellm's names.
* `LLM_CONFIG_FILE`: a YAML file with a litellm Router `model_list`, `fallbacks`,
  `num_retries` and `timeout` (see `deploy/litellm.example.yaml`). Unknown keys
  are refused, as everywhere in our config; a provider field we do not list yet
  is added to `DeploymentParams`, not smuggled through.

The file names secrets, it does not hold them: `api_key` must read
`os.environ/NAME` (litellm's own notation) and is resolved once, at load, into a
`SecretStr`. The result is a `RouterSpec`, plain data from which `llm.py` builds
the one `litellm.Router`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator

from gateway.exceptions import ConfigError
from gateway.policy.yamlfile import StrictModel, load_model
from gateway.settings import Settings

ENV_PREFIX = "os.environ/"
# OpenAI-compatible local servers usually want no key, but the OpenAI SDK refuses to
# start without one; a visible placeholder beats litellm falling back to whatever
# OPENAI_API_KEY happens to be in the environment.
NO_KEY = "no-key"


class DeploymentParams(StrictModel):
    """The `litellm_params` of one deployment (the subset we support)."""

    model: str = Field(min_length=1)
    api_base: str | None = None
    api_key: str | None = None  # "os.environ/NAME"
    api_version: str | None = None
    organization: str | None = None
    timeout: float | None = Field(default=None, gt=0)
    stream_timeout: float | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, gt=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    rpm: int | None = Field(default=None, gt=0)
    tpm: int | None = Field(default=None, gt=0)
    weight: int | None = Field(default=None, gt=0)
    aws_region_name: str | None = None
    vertex_project: str | None = None
    vertex_location: str | None = None

    @field_validator("api_key")
    @classmethod
    def _names_a_secret(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(ENV_PREFIX):
            raise ValueError(f"must name an environment variable as '{ENV_PREFIX}NAME'")
        return value


class DeploymentEntry(StrictModel):
    model_name: str = Field(min_length=1)  # the model group this deployment serves
    litellm_params: DeploymentParams


class LLMConfigFile(StrictModel):
    """The YAML file behind `LLM_CONFIG_FILE`."""

    model_list: list[DeploymentEntry] = Field(min_length=1)
    default_model: str | None = None  # group to call; the first entry's group if unset
    fallbacks: list[dict[str, list[str]]] = Field(default_factory=list)
    num_retries: int | None = Field(default=None, ge=0, le=5)
    timeout: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _groups_exist(self) -> LLMConfigFile:
        groups = {entry.model_name for entry in self.model_list}
        named = [self.default_model] if self.default_model else []
        for rule in self.fallbacks:
            if len(rule) != 1:
                raise ValueError("each fallbacks entry maps one group to its list of fallbacks")
            for source, targets in rule.items():
                named += [source, *targets]
        unknown = sorted({name for name in named if name not in groups})
        if unknown:
            raise ValueError(f"unknown model group(s) {unknown}; model_list has {sorted(groups)}")
        return self


@dataclass(frozen=True)
class Deployment:
    group: str
    deployment_id: str  # ours, so an answer can be traced to the deployment that gave it
    params: dict[str, Any]  # litellm_params without the key
    api_key: SecretStr | None

    @property
    def label(self) -> str:
        """What `Draft.model` and logs show: the provider/model, never the key."""
        return str(self.params["model"])


@dataclass(frozen=True)
class RouterSpec:
    """Everything needed to build the litellm Router; secrets stay `SecretStr` here."""

    source: str  # the config file, or "settings"
    group: str
    deployments: tuple[Deployment, ...]
    fallbacks: tuple[tuple[str, tuple[str, ...]], ...]
    num_retries: int
    timeout: float


def litellm_model_name(model: str, api_base: str, providers: frozenset[str]) -> str:
    """`gpt-4o-mini` with an api_base → `openai/gpt-4o-mini`; provider-prefixed names stay."""
    if model.split("/", 1)[0] in providers or not api_base:
        return model
    return f"openai/{model}"


def spec_from_settings(settings: Settings, providers: frozenset[str]) -> RouterSpec | None:
    """The spec the settings ask for, or None when no hosted LLM is configured."""
    if settings.llm_config_file is not None:
        if settings.llm_model:
            raise ConfigError("set either LLM_MODEL or LLM_CONFIG_FILE, not both")
        return load_config_file(settings.llm_config_file, settings)
    if not settings.llm_model:
        return None
    params: dict[str, Any] = {
        "model": litellm_model_name(settings.llm_model, settings.llm_api_base, providers)
    }
    if settings.llm_api_base:
        params["api_base"] = settings.llm_api_base
    key = settings.llm_api_key if settings.llm_api_key.get_secret_value() else None
    deployment = Deployment(
        group=settings.llm_model,
        deployment_id=f"{settings.llm_model}#0",
        params=params,
        api_key=key or _placeholder_key(params),
    )
    return RouterSpec(
        source="settings",
        group=settings.llm_model,
        deployments=(deployment,),
        fallbacks=(),
        num_retries=settings.llm_retries,
        timeout=settings.llm_timeout_s,
    )


def load_config_file(path: Path, settings: Settings) -> RouterSpec:
    """Validate the Router file; retries and timeout default to the settings' values."""
    config, _text = load_model(path, LLMConfigFile)
    deployments = tuple(_deployment(path, index, entry) for index, entry in enumerate(config.model_list))
    return RouterSpec(
        source=str(path),
        group=config.default_model or config.model_list[0].model_name,
        deployments=deployments,
        fallbacks=tuple(
            (source, tuple(targets)) for rule in config.fallbacks for source, targets in rule.items()
        ),
        num_retries=settings.llm_retries if config.num_retries is None else config.num_retries,
        timeout=config.timeout or settings.llm_timeout_s,
    )


def _deployment(path: Path, index: int, entry: DeploymentEntry) -> Deployment:
    params = entry.litellm_params.model_dump(exclude_none=True)
    reference = params.pop("api_key", None)
    api_key = None
    if reference is not None:
        name = reference.removeprefix(ENV_PREFIX)
        value = os.environ.get(name)
        if not value:
            raise ConfigError(
                f"{path}: model_list.{index}.litellm_params.api_key: environment variable {name} is not set"
            )
        api_key = SecretStr(value)
    return Deployment(
        group=entry.model_name,
        deployment_id=f"{entry.model_name}#{index}",
        params=params,
        api_key=api_key or _placeholder_key(params),
    )


def _placeholder_key(params: dict[str, Any]) -> SecretStr | None:
    is_compatible_server = str(params["model"]).startswith("openai/") and "api_base" in params
    return SecretStr(NO_KEY) if is_compatible_server else None
