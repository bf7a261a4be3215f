"""The Anthropic adapter through the real SDK against the stand-in: a forced tool call, a
refusal, the SDK's own retries of 429 (honouring retry-after) and 529, the credit-exhausted
400 that is never retried, and a Message Batch from create to its JSONL results with errored
and expired lines."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import anthropic
import pytest
from werkzeug.serving import make_server

from shared.adapters.anthropic_sentiment import AnthropicSentiment
from shared.localstack.anthropic import LocalAnthropicServer
from shared.ports import SentimentSpendExhausted, SentimentUnavailable

pytestmark = pytest.mark.integration
MODEL = "claude-haiku-4-5"


@pytest.fixture
def standin() -> Iterator[tuple[LocalAnthropicServer, str]]:
    app = LocalAnthropicServer(batch_delay_seconds=0.3)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def engine(base_url: str, max_retries: int = 2) -> AnthropicSentiment:
    client = anthropic.Anthropic(api_key="test-key", base_url=base_url, max_retries=max_retries)
    return AnthropicSentiment(client, MODEL)


def test_a_text_is_scored_through_a_forced_tool_call(
    standin: tuple[LocalAnthropicServer, str],
) -> None:
    result = engine(standin[1]).score("I love the new trail shoes")
    assert (result.engine, result.model, result.status) == ("anthropic", MODEL, "scored")
    assert result.label == "positive"
    assert result.score == 0.86
    assert result.toxicity == 0.0
    assert "love" in result.keywords


def test_a_refused_text_is_failed_with_the_reason(
    standin: tuple[LocalAnthropicServer, str],
) -> None:
    result = engine(standin[1]).score("Please refuse this one")
    assert result.status == "failed"
    assert result.score is None
    assert result.label is None
    assert result.reason is not None
    assert "refusal" in result.reason


def test_429_is_retried_by_the_sdk_honouring_retry_after(
    standin: tuple[LocalAnthropicServer, str],
) -> None:
    app, url = standin
    app.set_faults(rate_limit_next=1, retry_after_seconds=0.2)
    started = time.monotonic()
    result = engine(url).score("This is great")
    assert result.status == "scored"
    assert time.monotonic() - started >= 0.2
    assert [c["endpoint"] for c in app.calls()] == ["message", "message"]


def test_529_is_retried_and_a_lasting_one_is_unavailable(
    standin: tuple[LocalAnthropicServer, str],
) -> None:
    app, url = standin
    app.set_faults(overloaded_next=1)
    assert engine(url).score("This is great").status == "scored"
    app.set_faults(overloaded_next=5)
    with pytest.raises(SentimentUnavailable) as caught:
        engine(url, max_retries=1).score("This is great")
    assert not isinstance(caught.value, SentimentSpendExhausted)
    assert "overloaded_error" in str(caught.value)


def test_an_exhausted_credit_is_never_retried(standin: tuple[LocalAnthropicServer, str]) -> None:
    app, url = standin
    app.set_faults(credit_exhausted=True)
    with pytest.raises(SentimentSpendExhausted) as caught:
        engine(url, max_retries=3).score("This is great")
    assert "credit balance is too low" in str(caught.value)
    assert len(app.calls()) == 1  # no retry
    with pytest.raises(SentimentSpendExhausted):
        engine(url).submit({"s0": "This is great"})


def test_a_batch_runs_to_its_jsonl_results(standin: tuple[LocalAnthropicServer, str]) -> None:
    app, url = standin
    sentiment = engine(url)
    app.set_faults(errored_next=1, expired_next=1)
    texts = {"s0": "late again", "s1": "whatever", "s2": "I love it", "s3": "Please refuse"}
    batch_id = sentiment.submit(texts)
    assert batch_id.startswith("msgbatch_")
    assert sentiment.ended(batch_id) is False
    deadline = time.monotonic() + 5
    while not sentiment.ended(batch_id):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    results = sentiment.results(batch_id)
    assert set(results) == set(texts)
    assert results["s0"] is None  # expired: worth another batch
    assert results["s1"] is None  # errored transiently (api_error)
    assert results["s2"] is not None
    assert results["s2"].label == "positive"
    assert results["s3"] is not None
    assert results["s3"].status == "failed"
