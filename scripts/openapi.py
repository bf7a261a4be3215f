"""Regenerate the component schemas of shared/http/openapi.yaml from the pydantic models.

Paths are written by hand in the YAML; run this after changing an API model:
    python scripts/openapi.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from shared.http.openapi_schemas import component_schemas

SPEC_PATH = Path(__file__).resolve().parents[1] / "shared" / "http" / "openapi.yaml"


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SPEC_PATH
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    spec["components"]["schemas"] = component_schemas()
    SPEC_PATH.write_text(
        yaml.safe_dump(spec, sort_keys=False, width=100, allow_unicode=True), encoding="utf-8"
    )
    print(f"wrote {SPEC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
