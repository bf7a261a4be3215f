"""Sentiment through Anthropic's official SDK: the Messages API with a forced tool call for one
text now, the Message Batches API (half the price) for bulk work.

The SDK retries 429, 5xx and 529 itself (`max_retries`, honouring retry-after). What is left
is mapped: an out-of-credit or spend-limit answer is SentimentSpendExhausted (never retried,
it pauses the work), another 400 is the engine refusing this text (a failed result with its
reason), anything else is SentimentUnavailable. The SDK's own exception is never chained: its
text may quote the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anthropic

from shared.adapters.anthropic_wire import (
    ENGINE,
    SENTIMENT_TOOL,
    SYSTEM_PROMPT,
    TOOL_CHOICE,
    error_of,
    failed,
    result_from_line,
    result_from_message,
    spend_exhausted,
)
from shared.ports import SentimentResult, SentimentSpendExhausted, SentimentUnavailable

MAX_TOKENS = 1024


def _params(model: str, text: str) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": MAX_TOKENS,
        "system": SYSTEM_PROMPT,
        "tools": [SENTIMENT_TOOL],
        "tool_choice": TOOL_CHOICE,
        "messages": [{"role": "user", "content": text}],
    }


def _mapped(exc: anthropic.APIError) -> SentimentUnavailable:
    """The typed error a failed call becomes (refusals of one text are handled by the caller)."""
    if isinstance(exc, anthropic.APIStatusError):
        kind, message = error_of(exc.body)
        detail = f"HTTP {exc.status_code} {kind or 'error'}: {message or ''}".strip()
        if spend_exhausted(message):
            return SentimentSpendExhausted(f"Anthropic refused for the account: {detail}")
        return SentimentUnavailable(f"Anthropic failed: {detail}")
    return SentimentUnavailable(f"Anthropic could not be reached ({type(exc).__name__})")


class AnthropicSentiment:
    """The SentimentEngine and SentimentBatches ports, on one `anthropic.Anthropic` client."""

    def __init__(self, client: anthropic.Anthropic, model: str) -> None:
        self._client = client
        self._model = model

    @property
    def engine(self) -> str:
        return ENGINE

    @property
    def model(self) -> str:
        return self._model

    def score(self, text: str) -> SentimentResult:
        try:
            message = self._client.messages.create(**_params(self._model, text))
        except anthropic.BadRequestError as exc:
            kind, reason = error_of(exc.body)
            if spend_exhausted(reason):
                raise _mapped(exc) from None
            return failed(self._model, f"{kind or 'invalid_request_error'}: {reason or 'refused'}")
        except anthropic.APIError as exc:
            raise _mapped(exc) from None
        return result_from_message(message.model_dump(mode="json"), self._model)

    def submit(self, texts: Mapping[str, str]) -> str:
        requests: Any = [
            {"custom_id": custom_id, "params": _params(self._model, text)}
            for custom_id, text in texts.items()
        ]
        try:
            batch = self._client.messages.batches.create(requests=requests)
        except anthropic.APIError as exc:
            raise _mapped(exc) from None
        return batch.id

    def ended(self, batch_id: str) -> bool:
        try:
            batch = self._client.messages.batches.retrieve(batch_id)
        except anthropic.APIError as exc:
            raise _mapped(exc) from None
        return batch.processing_status == "ended"

    def results(self, batch_id: str) -> dict[str, SentimentResult | None]:
        try:
            lines = self._client.messages.batches.results(batch_id)
            parsed = [result_from_line(line.model_dump(mode="json"), self._model) for line in lines]
        except anthropic.APIError as exc:
            raise _mapped(exc) from None
        return dict(parsed)
