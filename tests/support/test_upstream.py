"""The loopback upstream speaks OpenAI well enough for the real SDK, and fails on cue."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import openai
import pytest
from openai import OpenAI

from .upstream import Script, UpstreamServer, split_text


@pytest.fixture
def upstream() -> Iterator[UpstreamServer]:
    with UpstreamServer(Script(reply="Your points balance is shown in the app.")) as up:
        yield up


@pytest.fixture
def client(upstream: UpstreamServer) -> Iterator[OpenAI]:
    # max_retries=0: the SDK's own retries would hide what the server did.
    with OpenAI(base_url=upstream.base_url, api_key="sk-test", max_retries=0, timeout=5) as c:
        yield c


def ask(client: OpenAI, **kwargs: Any) -> Any:
    return client.chat.completions.create(
        model="test-model", messages=[{"role": "user", "content": "How many points?"}], **kwargs
    )


def test_a_plain_completion_has_id_model_choices_and_usage(client: OpenAI) -> None:
    reply = ask(client)
    assert reply.id.startswith("chatcmpl-")
    assert reply.model == "test-model"
    assert reply.choices[0].message.content == "Your points balance is shown in the app."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None and reply.usage.total_tokens > 0


def test_a_streamed_completion_arrives_in_several_chunks_that_join_to_the_reply(
    client: OpenAI,
) -> None:
    with ask(client, stream=True, stream_options={"include_usage": True}) as stream:
        chunks = list(stream)
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(pieces) >= 3
    assert "".join(pieces) == "Your points balance is shown in the app."
    assert chunks[-1].usage is not None


def test_requests_are_recorded_with_headers_and_body(upstream: UpstreamServer, client: OpenAI) -> None:
    ask(client, user="member-42")
    [seen] = upstream.completion_requests
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert seen.body["user"] == "member-42"
    assert seen.body["messages"] == [{"role": "user", "content": "How many points?"}]


def test_the_reply_can_be_a_function_of_the_request(upstream: UpstreamServer, client: OpenAI) -> None:
    def echo(body: Mapping[str, Any]) -> str:
        return f"you said: {body['messages'][-1]['content']}"

    upstream.configure(reply=echo, model="reported-model")
    reply = ask(client)
    assert reply.choices[0].message.content == "you said: How many points?"
    assert reply.model == "reported-model"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, openai.InternalServerError),
        (429, openai.RateLimitError),
        (401, openai.AuthenticationError),
    ],
)
def test_error_mode_answers_every_call_with_the_status(
    upstream: UpstreamServer, client: OpenAI, status: int, error: type[Exception]
) -> None:
    upstream.configure(error=status)
    for _ in range(2):
        with pytest.raises(error):
            ask(client)


def test_flaky_mode_fails_the_first_calls_then_succeeds(upstream: UpstreamServer, client: OpenAI) -> None:
    upstream.configure(flaky=2)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            ask(client)
    assert ask(client).choices[0].message.content
    assert len(upstream.completion_requests) == 3


def test_slow_mode_delays_the_answer(upstream: UpstreamServer, client: OpenAI) -> None:
    upstream.configure(slow=0.3)
    started = time.perf_counter()
    ask(client)
    assert time.perf_counter() - started >= 0.3
    with pytest.raises(openai.APITimeoutError):
        ask(client, timeout=0.1)


def test_models_are_listed(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["test-model"]


def test_stopping_with_a_slow_reply_in_flight_is_quick_and_leaves_no_thread() -> None:
    before = threading.active_count()
    up = UpstreamServer(Script(slow=30)).__enter__()
    with (
        OpenAI(base_url=up.base_url, api_key="k", max_retries=0, timeout=0.2) as c,
        pytest.raises(openai.APITimeoutError),
    ):
        ask(c)
    started = time.perf_counter()
    up.__exit__(None, None, None)
    assert time.perf_counter() - started < 3
    assert threading.active_count() == before


def test_split_text_keeps_every_character() -> None:
    text = "One two three four five six seven."
    assert "".join(split_text(text, 3)) == text
    assert len(split_text(text, 3)) == 3
    assert split_text("single", 4) == ["single"]
