#!/usr/bin/env bash
# Regenerates tests/fixtures/gbstats/*.json with GrowthBook's gbstats 0.8.0.
# gbstats 0.8.0 pins numpy<2 and pandas<2, which the product's own environment cannot use, so
# it lives in a venv of its own (.gbstats-venv/, created on first run) and only the JSON it
# writes reaches the product's tests (the parity test reads those fixtures).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.gbstats-venv"
PINS=(
  "gbstats==0.8.0"
  "numpy==1.26.4"
  "pandas==1.5.3"
  "scipy==1.11.4"
  "pydantic==2.9.2"
  "nbformat==5.10.4"
)
stamp="$(printf '%s\n' "${PINS[@]}" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.gbstats-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "Setting up $VENV (first run takes a minute)..." >&2
  "${PYTHON:-python3.11}" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}" \
    2> >(grep -v "is ignored: it is neither" >&2)
  echo "$stamp" > "$VENV/.gbstats-stamp"
fi
cd "$ROOT"
exec "$VENV/bin/python" scripts/gbstats_fixtures.py "$@"
