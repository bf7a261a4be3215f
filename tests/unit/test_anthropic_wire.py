"""The Anthropic corpus (documented payload shapes) parsed by the adapter's wire module: a
forced tool call becomes a scored result, a refusal a failed one with a reason, batch lines
map by type, and only the credit and usage-limit errors count as spend exhausted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.anthropic_wire import (
    SENTIMENT_TOOL,
    error_of,
    result_from_line,
    result_from_message,
    spend_exhausted,
)
from shared.localstack.anthropic import render_message

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "anthropic"
MODEL = "claude-haiku-4-5"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / name).read_text())
    return data


def test_a_tool_use_message_is_a_scored_result_naming_its_engine_and_model() -> None:
    message = load("message_tool_use.json")
    result = result_from_message(message, "asked-model")
    expected = message["_expected"]
    assert (result.status, result.score, result.label) == (
        expected["status"],
        expected["score"],
        expected["label"],
    )
    assert result.toxicity == expected["toxicity"]
    assert (result.engine, result.model) == ("anthropic", MODEL)  # the model that answered
    assert result.entities == ("Northwind Trail Runner",)


def test_a_refusal_is_failed_with_the_reason_never_a_neutral_score() -> None:
    result = result_from_message(load("message_refusal.json"), MODEL)
    assert result.status == "failed"
    assert result.score is None
    assert result.label is None
    assert result.reason is not None
    assert "refusal" in result.reason


def test_a_tool_input_outside_the_schema_is_failed() -> None:
    message = load("message_tool_use.json")
    message["content"][0]["input"]["score"] = 3
    assert result_from_message(message, MODEL).status == "failed"


def test_results_lines_map_by_type() -> None:
    lines = (CORPUS / "batch_results.jsonl").read_text().splitlines()
    parsed = dict(result_from_line(json.loads(line), MODEL) for line in lines)
    assert parsed["s0"] is not None
    assert parsed["s0"].label == "negative"
    assert parsed["s1"] is not None
    assert parsed["s1"].status == "failed"
    assert parsed["s1"].reason is not None
    assert "non-empty" in parsed["s1"].reason
    assert parsed["s2"] is None  # transient api_error: another batch
    assert parsed["s3"] is None
    assert parsed["s4"] is None


@pytest.mark.parametrize("name", ["batch_in_progress.json", "batch_canceling.json"])
def test_a_batch_has_no_results_url_before_it_ends(name: str) -> None:
    batch = load(name)
    assert batch["type"] == "message_batch"
    assert batch["results_url"] is None


def test_an_ended_batch_names_its_results_and_counts() -> None:
    batch = load("batch_ended.json")
    assert batch["processing_status"] == "ended"
    assert batch["results_url"].endswith(f"/{batch['id']}/results")
    assert sum(batch["request_counts"].values()) == 5


@pytest.mark.parametrize("path", sorted((CORPUS / "errors").glob("*.json")), ids=lambda p: p.stem)
def test_every_error_body_parses_and_only_spend_errors_pause(path: Path) -> None:
    body = json.loads(path.read_text())
    kind, message = error_of(body)
    status = int(path.stem.split("_")[0])
    assert body["type"] == "error"
    assert kind is not None
    assert message
    assert path.stem.split("_", 1)[1].startswith(kind) or status == 400
    paused = path.stem in {"400_credit_balance_too_low", "400_usage_limits_reached"}
    assert spend_exhausted(message) is paused


def test_the_stand_in_answers_in_the_corpus_shape() -> None:
    params = {
        "model": MODEL,
        "max_tokens": 100,
        "tools": [SENTIMENT_TOOL],
        "messages": [{"role": "user", "content": "I love these shoes"}],
    }
    rendered = render_message(params, 0)
    assert rendered.keys() == load("message_tool_use.json").keys() - {"_expected"}
    assert result_from_message(rendered, MODEL).label == "positive"
