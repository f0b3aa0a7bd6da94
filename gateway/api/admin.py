"""Operations that change the running gateway (scope `admin`): policy status and reload,
intent model versions (serving, shadow) swapped without a restart."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.api.deps import AdminCaller, ServicesDep
from gateway.exceptions import ConfigError
from gateway.services import Services
from gateway.smallmodel.registry import ModelRegistry

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/policies")
async def policy_status(caller: AdminCaller, services: ServicesDep) -> dict[str, Any]:
    live = services.policies
    return {
        "version": live.current.policies.version,
        "loaded_at": live.current.loaded_at,
        "last_error": live.last_error,
        "refused_reloads": live.failures,
    }


@router.post("/policies/reload")
async def reload_policies(caller: AdminCaller, services: ServicesDep) -> dict[str, Any]:
    """Load the policy files now; a bad file is refused (422) and the current version stays."""
    result = services.policies.reload()
    if result.error is not None:
        raise ConfigError(f"policy reload refused, still serving {result.version}: {result.error}",
                          code="policy_invalid")
    return {"version": result.version, "changed": result.changed}


class IntentModelChange(BaseModel):
    """Exactly one of `serve` (a version) or `shadow` (a version, or null to stop the shadow)."""

    model_config = ConfigDict(extra="forbid")

    serve: str | None = Field(default=None, min_length=1, max_length=64)
    shadow: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _exactly_one(self) -> IntentModelChange:
        if len(self.model_fields_set) != 1 or (self.serve is None and "serve" in self.model_fields_set):
            raise ValueError('send exactly one of {"serve": "<version>"} or {"shadow": "<version>" | null}')
        return self


@router.get("/models")
async def model_status(caller: AdminCaller, services: ServicesDep) -> dict[str, Any]:
    """The intent versions serving and in shadow, and every version on disk with its figures."""
    return _models_view(_registry(services))


@router.post("/models/intent")
async def change_intent_model(
    body: IntentModelChange, caller: AdminCaller, services: ServicesDep
) -> dict[str, Any]:
    """Load and swap the serving or shadow version; the next request uses it, no restart."""
    registry = _registry(services)
    if "serve" in body.model_fields_set:
        assert body.serve is not None  # checked by the model
        await asyncio.to_thread(registry.serve, body.serve)
    else:
        await asyncio.to_thread(registry.set_shadow, body.shadow)
    return _models_view(registry)


def _registry(services: Services) -> ModelRegistry:
    if services.intent_models is None:
        raise ConfigError("model versions cannot be changed here: no model registry is wired")
    return services.intent_models


def _models_view(registry: ModelRegistry) -> dict[str, Any]:
    shadow = registry.shadow
    return {
        "intent": {
            "serving": registry.version,
            "shadow": shadow.version if shadow is not None else None,
            "latest": registry.latest(),
            "available": [asdict(info) for info in registry.describe()],
        }
    }
