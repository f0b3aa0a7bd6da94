"""The hosted-LLM route answers through litellm's Router against a real loopback upstream."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import gateway.generation
from gateway.exceptions import ConfigError, UpstreamError
from gateway.generation import LLMRoute, build_llm_route
from gateway.settings import PROJECT_ROOT, Settings
from gateway.turn import ChatMessage, Route
from tests.support import UpstreamServer

pytestmark = pytest.mark.anyio
RouteFactory = Callable[..., LLMRoute]  # the make_route fixture (conftest.py)

SECRET = "sk-test-do-not-print-4242"
MESSAGES = (
    ChatMessage("system", "You are the loyalty assistant. The member's tier is Gold."),
    ChatMessage("user", "Do I get anything extra at the weekend?"),
)


def write_config(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "litellm.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def deployment(group: str, model: str, up: UpstreamServer, key_env: str) -> dict[str, Any]:
    return {
        "model_name": group,
        "litellm_params": {
            "model": f"openai/{model}",
            "api_base": up.base_url,
            "api_key": f"os.environ/{key_env}",
        },
    }


async def test_an_answer_comes_back_as_an_llm_draft_with_text_and_model(
    upstream: UpstreamServer, make_route: RouteFactory
) -> None:
    route = make_route(llm_model="gpt-4o-mini", llm_api_base=upstream.base_url, llm_api_key=SECRET)
    draft = await route.complete(MESSAGES, decision_id="dec_1")
    assert draft.route is Route.LLM
    assert draft.text == "Gold members earn double points on weekends."
    assert draft.model == "openai/gpt-4o-mini"
    assert draft.upstream_latency_ms is not None and draft.upstream_latency_ms > 0
    [sent] = upstream.completion_requests
    assert sent.body["model"] == "gpt-4o-mini"  # the openai/ prefix is litellm's, not the server's
    assert sent.body["messages"][0] == {"role": "system", "content": MESSAGES[0].content}
    assert "Gold" in sent.body["messages"][0]["content"]


async def test_the_api_key_is_sent_as_a_bearer_header_and_never_shown(
    upstream: UpstreamServer, make_route: RouteFactory
) -> None:
    route = make_route(llm_model="gpt-4o-mini", llm_api_base=upstream.base_url, llm_api_key=SECRET)
    await route.complete(MESSAGES, decision_id="dec_2")
    [sent] = upstream.completion_requests
    assert sent.headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(route) and SECRET not in str(route)
    assert "dec_2" not in str(sent.body)  # the decision id stays on our side


async def test_a_failing_primary_falls_back_to_the_second_deployment(
    upstream: UpstreamServer,
    backup: UpstreamServer,
    make_route: RouteFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRIMARY_KEY", "sk-primary")
    monkeypatch.setenv("BACKUP_KEY", "sk-backup")
    upstream.configure(error=500)
    path = write_config(
        tmp_path,
        {
            "model_list": [
                deployment("primary", "primary-model", upstream, "PRIMARY_KEY"),
                deployment("backup", "backup-model", backup, "BACKUP_KEY"),
            ],
            "fallbacks": [{"primary": ["backup"]}],
            "num_retries": 0,
            "timeout": 5,
        },
    )
    route = make_route(llm_config_file=path)
    draft = await route.complete(MESSAGES, decision_id="dec_3")
    assert draft.text == "The backup deployment answered."
    assert draft.model == "openai/backup-model"
    assert len(upstream.completion_requests) == 1
    assert backup.completion_requests[0].headers["authorization"] == "Bearer sk-backup"


async def test_an_upstream_slower_than_the_timeout_raises_upstream_error(
    upstream: UpstreamServer, make_route: RouteFactory
) -> None:
    upstream.configure(slow=5)
    route = make_route(
        llm_model="gpt-4o-mini", llm_api_base=upstream.base_url, llm_timeout_s=0.3, llm_retries=0
    )
    started = time.perf_counter()
    with pytest.raises(UpstreamError) as caught:
        await route.complete(MESSAGES, decision_id="dec_4")
    assert time.perf_counter() - started < 2
    assert caught.value.code == "upstream_timeout"
    assert caught.value.__cause__ is not None


async def test_a_flaky_upstream_succeeds_within_the_retries(
    upstream: UpstreamServer, make_route: RouteFactory
) -> None:
    upstream.configure(flaky=1)
    route = make_route(llm_model="gpt-4o-mini", llm_api_base=upstream.base_url, llm_retries=1)
    draft = await route.complete(MESSAGES, decision_id="dec_5")
    assert draft.text == "Gold members earn double points on weekends."
    assert len(upstream.completion_requests) == 2


@pytest.mark.parametrize(
    ("status", "code"),
    [(500, "upstream_unavailable"), (401, "upstream_auth"), (429, "upstream_rate_limited")],
)
async def test_provider_failures_become_upstream_errors_with_a_reason_code(
    upstream: UpstreamServer, make_route: RouteFactory, status: int, code: str
) -> None:
    upstream.configure(error=status)
    route = make_route(
        llm_model="gpt-4o-mini", llm_api_base=upstream.base_url, llm_api_key=SECRET, llm_retries=0
    )
    with pytest.raises(UpstreamError) as caught:
        await route.complete(MESSAGES, decision_id="dec_6")
    assert caught.value.code == code
    assert "dec_6" in caught.value.message
    assert SECRET not in caught.value.message


async def test_an_empty_answer_is_an_upstream_error_not_a_blank_draft(
    upstream: UpstreamServer, make_route: RouteFactory
) -> None:
    upstream.configure(reply="  ")
    route = make_route(llm_model="gpt-4o-mini", llm_api_base=upstream.base_url)
    with pytest.raises(UpstreamError) as caught:
        await route.complete(MESSAGES, decision_id="dec_9")
    assert caught.value.code == "upstream_empty_answer"


async def test_stream_yields_pieces_that_join_to_the_full_reply(
    upstream: UpstreamServer, make_route: RouteFactory
) -> None:
    route = make_route(llm_model="gpt-4o-mini", llm_api_base=upstream.base_url)
    pieces = [piece async for piece in route.stream(MESSAGES, decision_id="dec_7")]
    assert len(pieces) > 1
    assert "".join(pieces) == "Gold members earn double points on weekends."
    assert upstream.completion_requests[0].body["stream"] is True


async def test_a_failing_stream_raises_upstream_error(
    upstream: UpstreamServer, make_route: RouteFactory
) -> None:
    upstream.configure(error=500)
    route = make_route(llm_model="gpt-4o-mini", llm_api_base=upstream.base_url, llm_retries=0)
    with pytest.raises(UpstreamError):
        async for _ in route.stream(MESSAGES, decision_id="dec_8"):
            pass


def test_a_config_file_with_an_unknown_key_is_refused_naming_the_file(
    upstream: UpstreamServer, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    entry = {"model_name": "primary", "litellm_params": {"model": "openai/m", "api_bse": "x"}}
    path = write_config(tmp_path, {"model_list": [entry]})
    with pytest.raises(ConfigError) as caught:
        build_llm_route(make_settings(llm_config_file=path))
    assert str(path) in caught.value.message
    assert "api_bse" in caught.value.message


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            {"model_list": [{"model_name": "a", "litellm_params": {"model": "m", "api_key": "sk-1"}}]},
            "os.environ/NAME",
        ),
        (
            {
                "model_list": [{"model_name": "a", "litellm_params": {"model": "m"}}],
                "fallbacks": [{"a": ["b"]}],
            },
            "unknown model group",
        ),
        (
            {
                "model_list": [
                    {"model_name": "a", "litellm_params": {"model": "m", "api_key": "os.environ/NOPE_X"}}
                ]
            },
            "NOPE_X is not set",
        ),
    ],
    ids=["literal-key", "unknown-fallback", "missing-env-var"],
)
def test_a_config_file_must_name_secrets_and_known_groups(
    make_settings: Callable[..., Settings], tmp_path: Path, config: dict[str, Any], problem: str
) -> None:
    path = write_config(tmp_path, config)
    with pytest.raises(ConfigError, match=problem) as caught:
        build_llm_route(make_settings(llm_config_file=path))
    assert str(path) in caught.value.message


def test_setting_both_a_model_and_a_config_file_is_refused(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    path = write_config(tmp_path, {"model_list": [{"model_name": "a", "litellm_params": {"model": "m"}}]})
    with pytest.raises(ConfigError, match="not both"):
        build_llm_route(make_settings(llm_model="gpt-4o-mini", llm_config_file=path))


def test_nothing_configured_means_no_route(make_settings: Callable[..., Settings]) -> None:
    assert build_llm_route(make_settings()) is None


async def test_the_example_config_loads(monkeypatch: pytest.MonkeyPatch, make_route: RouteFactory) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.setenv(name, "sk-example")
    route = make_route(llm_config_file=PROJECT_ROOT / "deploy" / "litellm.example.yaml")
    assert route.model_group == "primary"
    assert "sk-example" not in repr(route)


def test_the_package_exports_what_it_names() -> None:
    for name in gateway.generation.__all__:
        assert hasattr(gateway.generation, name), name
