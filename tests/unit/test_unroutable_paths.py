"""Paths functions-framework itself cannot route (its catch-all never matches a newline, for
one) answer the API's JSON 404, as every other error does, never Flask's HTML page. This runs
the deployed entry point through functions-framework's own app, as Cloud Run serves it."""

from __future__ import annotations

from pathlib import Path

import functions_framework
import pytest

MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"


@pytest.mark.parametrize("path", ["/v1/campaigns/line%0Abreak", "/v1/creators/%0A"])
def test_an_unroutable_path_is_a_json_404_naming_the_path(path: str) -> None:
    app = functions_framework.create_app("campaigns_api", str(MAIN))  # type: ignore[no-untyped-call]
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["field"] == "path"
