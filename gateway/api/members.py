"""A member's consent, and erasure.

    GET    /v1/members/{id}/consent   app and associate channels (the member, in the app or in store
                                      with an associate), and the compliance channel (`audit:read`)
    PUT    /v1/members/{id}/consent   app and associate channels; {"personalization", "profiling",
                                      "location"}: booleans, any of them, unknown fields refused (422)
    DELETE /v1/members/{id}           `admin` scope (the compliance channel's key): erasure

The kiosk is a shared screen in a store: it neither shows nor changes consent.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path
from pydantic import BaseModel, ConfigDict, StrictBool, model_validator

from gateway.api.deps import AdminCaller, ServicesDep
from gateway.api.keys import Caller, Scope
from gateway.consent import ConsentPreferences, Purpose
from gateway.consent.erasure import Erasure
from gateway.exceptions import ScopeError, StoreError
from gateway.services import Services
from gateway.turn import Channel

router = APIRouter(tags=["members"])

MemberId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
_CHANGES_CONSENT = frozenset({Channel.APP, Channel.ASSOCIATE})


class ConsentUpdate(BaseModel):
    """The purposes to change; a purpose left out keeps its current setting."""

    model_config = ConfigDict(extra="forbid")

    personalization: StrictBool | None = None
    profiling: StrictBool | None = None
    location: StrictBool | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> ConsentUpdate:
        if not self.changes():
            raise ValueError("send at least one of personalization, profiling, location (true or false)")
        return self

    def changes(self) -> dict[Purpose, bool]:
        chosen = {Purpose.PERSONALIZATION: self.personalization, Purpose.PROFILING: self.profiling,
                  Purpose.LOCATION: self.location}
        return {purpose: allowed for purpose, allowed in chosen.items() if allowed is not None}


def _caller(services: ServicesDep, authorization: Annotated[str | None, Header()] = None) -> Caller:
    return services.keys.authenticate(authorization)


AnyCaller = Annotated[Caller, Depends(_caller)]


def _consent(services: Services) -> ConsentPreferences:
    if services.consent is None:
        raise StoreError("consent is not available in this deployment", code="consent_unavailable")
    return services.consent


def _erasure(services: Services) -> Erasure:
    if services.erasure is None:
        raise StoreError("erasure is not available in this deployment", code="erasure_unavailable")
    return services.erasure


@router.get("/v1/members/{member_id}/consent")
async def get_consent(member_id: MemberId, caller: AnyCaller, services: ServicesDep) -> dict[str, Any]:
    if caller.channel not in _CHANGES_CONSENT and Scope.AUDIT_READ not in caller.scopes:
        raise ScopeError(f"the {caller.channel.value} channel cannot read consent: "
                         "use the app, associate or compliance key")
    return await _consent(services).view(member_id)


@router.put("/v1/members/{member_id}/consent")
async def put_consent(
    member_id: MemberId, body: ConsentUpdate, caller: AnyCaller, services: ServicesDep
) -> dict[str, Any]:
    if caller.channel not in _CHANGES_CONSENT:
        raise ScopeError(f"the {caller.channel.value} channel cannot change consent: "
                         "members change it in the app, or in store with an associate")
    return await _consent(services).update(member_id, body.changes(), source=caller.channel.value)


@router.delete("/v1/members/{member_id}")
async def erase_member(member_id: MemberId, caller: AdminCaller, services: ServicesDep) -> dict[str, Any]:
    """Forget the member: profile, purchases, consent, hot profile, events, offer decisions, caches."""
    counts = await _erasure(services).erase(member_id, requested_by=caller.channel)
    return {"member_id": member_id, "erased": counts,
            "kept": {"audit_log": "append-only and hash-chained: past decisions stay, and this erasure "
                                  "is recorded there"}}
