"""The hosted-LLM route: one litellm Router, built at start-up, behind our own types.

Retries, per-attempt timeouts and fallbacks between deployments are the
Router's job (configured in `llm_config.py`), not hand-written loops here. This
module turns our `ChatMessage`s into a call, the answer into a `Draft`, and
every litellm / OpenAI SDK failure into an `UpstreamError` with a stable code:

    upstream_timeout        every attempt ran out of time
    upstream_auth           the provider refused the key (401 / 403)
    upstream_rate_limited   429 from the provider, or every deployment cooling down
    upstream_rejected       the provider refused the request itself (400-class)
    upstream_unavailable    5xx, connection failures, anything else from the provider
    upstream_empty_answer   the provider answered with no text

litellm is imported only when a route is built, never at module import: its
import is slow and, left to itself, downloads a price map from the internet.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import openai

from gateway.exceptions import UpstreamError
from gateway.generation.llm_config import Deployment, RouterSpec, spec_from_settings
from gateway.settings import Settings
from gateway.turn import ChatMessage, Draft, Route

logger = logging.getLogger(__name__)

# Most specific first: litellm.Timeout is an APITimeoutError, which is an APIConnectionError.
_ERROR_CODES: tuple[tuple[type[BaseException], str], ...] = (
    (openai.APITimeoutError, "upstream_timeout"),
    (openai.AuthenticationError, "upstream_auth"),
    (openai.PermissionDeniedError, "upstream_auth"),
    (openai.RateLimitError, "upstream_rate_limited"),
    (openai.BadRequestError, "upstream_rejected"),
    (openai.UnprocessableEntityError, "upstream_rejected"),
)


class LLMRoute:
    """Answers a turn with a hosted model through one long-lived `litellm.Router`.

    Build it once at start-up (`build_llm_route`) and call `aclose()` at shutdown.
    """

    def __init__(self, spec: RouterSpec) -> None:
        litellm = import_litellm()
        from litellm.types.router import RouterRateLimitError, RouterRateLimitErrorBasic

        self._spec = spec
        self._labels = {d.deployment_id: d.label for d in spec.deployments}
        self._router: Any = litellm.Router(
            model_list=[_router_entry(d) for d in spec.deployments],
            num_retries=spec.num_retries,
            timeout=spec.timeout,
            fallbacks=[{source: list(targets)} for source, targets in spec.fallbacks],
        )
        # What the Router can raise once retries and fallbacks are spent. Anything
        # else (a TypeError, say) is our bug and must not be disguised as an outage.
        cooling_down = (RouterRateLimitError, RouterRateLimitErrorBasic)
        self._errors: tuple[type[BaseException], ...] = (openai.OpenAIError, *cooling_down)
        self._codes = (*_ERROR_CODES, *((kind, "upstream_rate_limited") for kind in cooling_down))

    @property
    def configured(self) -> bool:
        return True

    @property
    def source(self) -> str:
        return self._spec.source

    @property
    def model_group(self) -> str:
        return self._spec.group

    @property
    def deployments(self) -> tuple[str, ...]:
        return tuple(self._labels.values())

    def __repr__(self) -> str:
        # Deliberately built from labels only: the keys live in the Router, never here.
        return (
            f"LLMRoute(source={self.source!r}, group={self.model_group!r}, "
            f"deployments={list(self.deployments)!r})"
        )

    async def complete(self, messages: tuple[ChatMessage, ...], *, decision_id: str) -> Draft:
        started = time.perf_counter()
        try:
            response = await self._router.acompletion(
                model=self._spec.group,
                messages=_payload(messages),
                metadata={"decision_id": decision_id},
            )
        except self._errors as e:
            raise _translate(e, decision_id, self._codes) from e
        latency_ms = (time.perf_counter() - started) * 1000
        text = response.choices[0].message.content or ""
        model = self._answered_by(response)
        if not text.strip():
            raise UpstreamError(
                f"hosted LLM {model} sent an empty answer ({decision_id})",
                code="upstream_empty_answer",
            )
        logger.info(
            "llm answered",
            extra={"decision_id": decision_id, "model": model, "latency_ms": round(latency_ms, 1)},
        )
        return Draft(text=text, route=Route.LLM, model=model, upstream_latency_ms=latency_ms)

    async def stream(self, messages: tuple[ChatMessage, ...], *, decision_id: str) -> AsyncIterator[str]:
        """Yield the answer's text deltas as they arrive (empty deltas skipped).

        A caller that stops early should `aclose()` the iterator so the upstream
        connection is released at once rather than when the generator is collected.
        """
        try:
            response = await self._router.acompletion(
                model=self._spec.group,
                messages=_payload(messages),
                metadata={"decision_id": decision_id},
                stream=True,
            )
            try:
                async for chunk in response:
                    delta = _delta_text(chunk)
                    if delta:
                        yield delta
            finally:
                close = getattr(response, "aclose", None)
                if close is not None:
                    await close()
        except self._errors as e:
            raise _translate(e, decision_id, self._codes) from e

    async def aclose(self) -> None:
        """Release the Router's global hooks and the HTTP clients litellm opened.

        litellm keeps its SDK clients in a process-wide cache (keyed by event loop),
        so closing them here affects every litellm user in the process; the gateway
        has exactly one route, and the clients are re-created on demand.
        """
        litellm = import_litellm()
        self._router.discard()
        await litellm.close_litellm_async_clients()
        # Closed clients must not be handed out again from the cache.
        litellm.in_memory_llm_clients_cache.flush_cache()

    def _answered_by(self, response: Any) -> str:
        """The deployment that produced `response`, which after a fallback is not the first."""
        hidden = getattr(response, "_hidden_params", None) or {}
        label = self._labels.get(str(hidden.get("model_id")))
        return label or str(response.model)


def build_llm_route(settings: Settings) -> LLMRoute | None:
    """The hosted-LLM route the settings describe, or None when none is configured."""
    if not settings.llm_configured:
        return None
    litellm = import_litellm()
    spec = spec_from_settings(settings, frozenset(str(getattr(p, "value", p)) for p in litellm.provider_list))
    return LLMRoute(spec) if spec is not None else None


def import_litellm() -> Any:
    """Import litellm with its network side effects switched off (idempotent)."""
    # litellm fetches its model price map from GitHub at import time unless this is
    # set; an env var is its only switch. The gateway talks to the api_base only.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    if hasattr(litellm, "telemetry"):  # gone in recent releases; off wherever it exists
        litellm.telemetry = False
    litellm.suppress_debug_info = True
    _build_response_types()
    return litellm


def _build_response_types() -> None:
    """Build litellm's response models now, at start-up, instead of mid-request.

    pydantic builds them lazily, on the first answer, and warns there that one of
    their TypedDicts uses `typing.ReadOnly`. Mid-stream that warning either lands in
    the logs of the first request or, where warnings are errors (our tests), is
    reported by litellm as a connection failure. Building them here with that one
    warning silenced avoids both and takes the build off the first call's latency.
    """
    from litellm.types.utils import Delta, Message, ModelResponse, ModelResponseStream

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*`ReadOnly` qualifier", category=UserWarning)
        for model in (Message, Delta, ModelResponse, ModelResponseStream):
            model.model_rebuild()


def _router_entry(deployment: Deployment) -> dict[str, Any]:
    params = dict(deployment.params)
    if deployment.api_key is not None:
        params["api_key"] = deployment.api_key.get_secret_value()
    return {
        "model_name": deployment.group,
        "litellm_params": params,
        "model_info": {"id": deployment.deployment_id},
    }


def _payload(messages: tuple[ChatMessage, ...]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _delta_text(chunk: Any) -> str:
    choices = getattr(chunk, "choices", None)
    if not choices:
        return ""  # e.g. the trailing usage chunk
    return str(getattr(choices[0].delta, "content", None) or "")


def _translate(
    error: BaseException, decision_id: str, codes: tuple[tuple[type[BaseException], str], ...]
) -> UpstreamError:
    """Our error for a provider failure; the message carries no provider text (it may echo keys)."""
    code = next((c for kind, c in codes if isinstance(error, kind)), "upstream_unavailable")
    status = getattr(error, "status_code", None)
    detail = f", HTTP {status}" if isinstance(status, int) else ""
    return UpstreamError(
        f"hosted LLM failed after retries and fallbacks ({type(error).__name__}{detail}) for {decision_id}",
        code=code,
    )
