"""The one place where errors become HTTP responses (OpenAI's error shape)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gateway.api.schemas import error_body
from gateway.exceptions import (
    AuthError,
    ConfigError,
    GatewayError,
    InvalidRequest,
    ModelError,
    NotFound,
    PayloadTooLarge,
    ScopeError,
    StoreError,
    UpstreamError,
)

# Most specific first: the first class that matches decides the status.
_STATUS: tuple[tuple[type[GatewayError], int, str], ...] = (
    (PayloadTooLarge, 413, "invalid_request_error"),
    (InvalidRequest, 400, "invalid_request_error"),
    (ScopeError, 403, "permission_error"),
    (AuthError, 401, "authentication_error"),
    (NotFound, 404, "not_found_error"),
    (StoreError, 503, "service_unavailable"),
    (ModelError, 503, "service_unavailable"),
    (UpstreamError, 502, "upstream_error"),
    (ConfigError, 500, "configuration_error"),
)


def status_for(error: GatewayError) -> tuple[int, str]:
    if isinstance(error, ConfigError) and error.code == "policy_invalid":
        return 422, "invalid_request_error"  # the operator's policy file, not the server, is at fault
    if isinstance(error, ModelError) and error.code == "model_unusable":
        return 409, "conflict_error"  # a model version asked for that cannot serve with this embedder
    for cls, status, kind in _STATUS:
        if isinstance(error, cls):
            return status, kind
    return 500, "gateway_error"


async def _gateway_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GatewayError)
    status, kind = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(exc.message, exc.code, kind), status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"] if p != "body") or "body"
        problems.append(f"{where}: {err['msg']}")
    first = exc.errors()[0]["loc"] if exc.errors() else ()
    param = ".".join(str(p) for p in first if p != "body") or None
    message = "invalid request: " + "; ".join(problems)
    body = error_body(message, "invalid_request", "invalid_request_error", param)
    return JSONResponse(body, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GatewayError, _gateway_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
