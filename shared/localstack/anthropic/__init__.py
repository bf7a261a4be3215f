"""A local stand-in for Anthropic's Messages and Message Batches APIs, speaking the wire format
the official `anthropic` SDK uses (point it here with base_url).

API (an API key required, as x-api-key or the `Authorization: Bearer` header the SDK's 2.x
releases send, any non-empty key unless one is configured; anthropic-version required; every
reply carries a request-id header):
  POST /v1/messages                       a Message: the forced record_sentiment tool_use call
                                          (stop_reason tool_use), or stop_reason refusal
  POST /v1/messages/batches               {"requests": [{"custom_id", "params"}]}: a
                                          message_batch, processing_status in_progress
  GET  /v1/messages/batches/{id}          the batch; `ended` (with results_url and
                                          request_counts) once batch_delay_seconds have passed
  GET  /v1/messages/batches/{id}/results  JSONL: one {"custom_id", "result"} line per request,
                                          result type succeeded / errored / expired
Errors have Anthropic's body {"type": "error", "error": {"type", "message"}, "request_id"}: 400
invalid_request_error (also the credit-exhausted "Your credit balance is too low ..."), 401
authentication_error, 404 not_found_error, 429 rate_limit_error (with retry-after), 500
api_error, 529 overloaded_error.

Answers replay the labelled samples in samples.yaml (`catalog`): the first sample whose
`contains` occurs in the text, a refusal for "please refuse", else a small word-list fallback.

Control (not part of Anthropic's API):
  POST /_control/faults   {"rate_limit_next": n, "server_error_next": n, "overloaded_next": n,
                           "credit_exhausted": bool, "errored_next": n, "expired_next": n,
                           "retry_after_seconds": x}   (all optional; merged)
  GET  /_control/faults   the current faults
  GET  /_control/calls    {"calls": [{endpoint, path}]}: every API request, failed ones too
  POST /_control/reset    forget batches, calls and faults

Run as `python -m shared.localstack.anthropic --port 8093`.
"""

from shared.localstack.anthropic.faults import CREDIT_TOO_LOW, Faults
from shared.localstack.anthropic.server import LocalAnthropicServer, render_message

__all__ = ["CREDIT_TOO_LOW", "Faults", "LocalAnthropicServer", "render_message"]
