"""Request dependencies as reusable types: the services, and callers with a given scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from gateway.api.keys import Caller, KeyRing, Scope
from gateway.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _caller_with(scope: Scope) -> object:
    def dependency(
        services: ServicesDep, authorization: Annotated[str | None, Header()] = None
    ) -> Caller:
        caller = services.keys.authenticate(authorization)
        KeyRing.require(caller, scope)
        return caller

    return Depends(dependency)


ChatCaller = Annotated[Caller, _caller_with(Scope.CHAT)]
AuditCaller = Annotated[Caller, _caller_with(Scope.AUDIT_READ)]
AdminCaller = Annotated[Caller, _caller_with(Scope.ADMIN)]
EventsCaller = Annotated[Caller, _caller_with(Scope.EVENTS)]
