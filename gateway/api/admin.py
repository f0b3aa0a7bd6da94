"""Operations that change the running gateway: policy status and reload (scope `admin`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway.api.deps import AdminCaller, ServicesDep
from gateway.exceptions import ConfigError

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
