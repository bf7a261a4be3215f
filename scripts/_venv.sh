# Sourced by scripts/demo and scripts/test: make .venv (Python 3.11) with the pinned
# dependencies and the project installed editable; rebuilt when requirements change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "ReachOps needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

stamp="$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.reachops-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "Setting up $VENV (first run takes a few minutes)..." >&2
  "$(find_python)" -m venv "$VENV"
  grep -vx '\.' "$ROOT/requirements.txt" > "$VENV/requirements-pinned.txt"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$VENV/requirements-pinned.txt" 2> >(grep -v "is ignored: it is neither" >&2)
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$ROOT[dev]" 2> >(grep -v "is ignored: it is neither" >&2)
  echo "$stamp" > "$VENV/.reachops-stamp"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
