"""Every error the gateway raises on purpose.

    GatewayError
    ├── ConfigError            a settings, policy, prompt or routing file is invalid
    ├── InvalidRequest         the caller sent something we refuse (HTTP 400 / 413 / 422)
    │   └── PayloadTooLarge    a message or the whole conversation is over the size limits (413)
    ├── AuthError              no or unknown API key (401)
    │   └── ScopeError         the key is valid but its channel lacks the scope (403)
    ├── NotFound               unknown member or resource (404)
    ├── StoreError             a database, Redis or vector store failed (503)
    │   └── AuditWriteError    the audit record could not be made durable: the answer is withheld
    ├── UpstreamError          the hosted LLM failed after retries and fallbacks
    └── ModelError             a trained model artifact is missing or unreadable

Errors of libraries underneath are translated at the boundary where they are
caught (`raise StoreError(...) from e`). The API maps these classes to HTTP
status codes in exactly one place: `gateway/api/errors.py`.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base class; `code` is a stable machine-readable reason."""

    code = "gateway_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ConfigError(GatewayError):
    code = "config_error"


class InvalidRequest(GatewayError):
    code = "invalid_request"


class PayloadTooLarge(InvalidRequest):
    code = "payload_too_large"


class AuthError(GatewayError):
    code = "unauthorized"


class ScopeError(AuthError):
    code = "forbidden"


class NotFound(GatewayError):
    code = "not_found"


class StoreError(GatewayError):
    code = "store_unavailable"


class AuditWriteError(StoreError):
    code = "audit_unavailable"


class UpstreamError(GatewayError):
    code = "upstream_error"


class ModelError(GatewayError):
    code = "model_error"
