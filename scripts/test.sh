#!/usr/bin/env bash
# Install what the tests need (pinned by requirements/constraints.txt), start the services, and run the tests in
# tiers: the unit tier first (tests/unit, no database; a failure there stops the script at once), then the rest
# on SQLite and on PostgreSQL. Extra arguments go to every pytest run.
#   VENV=path   the virtual environment to use (default .venv; made when missing). .ci/run passes a new one.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
C=requirements/constraints.txt
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
echo "== installing into $VENV (pinned by $C)"
"$PY" -m pip install -q -c "$C" --upgrade pip  # python3 -m venv gives an old pip (23.2) that backtracks for minutes
"$PY" -m pip install -q -c "$C" -e ".[test]"
# torch is optional: the pinned CPU build (PyPI only has CUDA builds for Linux) from a local wheel folder
# (pip's find-links) or PyTorch's CPU index; without it the loader tests that need torch are skipped
"$PY" -m pip install -q -c "$C" --retries 1 --find-links https://download.pytorch.org/whl/cpu/torch/ torch 2>/dev/null \
  || echo "torch (CPU build, pinned in $C) not installable here: loader tests that need torch are skipped"
if command -v apt-get >/dev/null && ! command -v dot >/dev/null; then
  (apt-get install -y -q graphviz >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q graphviz >/dev/null 2>&1)) || echo "graphviz (dot) not installable: lineage tests use the text fallback"
fi
if command -v apt-get >/dev/null && ! command -v chromium >/dev/null; then
  (apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium chromium-driver >/dev/null 2>&1)) || echo "chromium not installable: the server's browser tests are skipped"
fi
# PostgreSQL on 127.0.0.1:5432 (start it if it is not running)
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
status=0
echo "== import layers (lint-imports, contract in pyproject.toml)"
"$VENV/bin/lint-imports" --no-cache || status=$?
echo "== lint (ruff) and types (mypy; settings in pyproject.toml)"
"$VENV/bin/ruff" check src tests benchmarks scripts || status=$?
"$VENV/bin/mypy" || status=$?
echo "== unit tier (tests/unit: no instance, database, network or subprocess; the same on every backend)"
started=$SECONDS
unit=0
# third-party pytest plugins the unit tier does not use cost seconds of start-up: leave them out here
"$PY" -m pytest -q -p no:cacheprovider -p no:zarr -p no:schemathesis -p no:typeguard -m unit tests/unit "$@" || unit=$?
echo "== unit tier took $((SECONDS - started)) s"
if [ "$unit" -ne 0 ] && [ "$unit" -ne 5 ]; then  # 5: arguments (-k, paths) that select no unit test
  echo "the unit tier failed: fix it before the database tiers run" >&2
  exit "$unit"
fi
tier_failed() {  # 5: the arguments (-k, paths) select no test of this tier, which is fine
  if [ "$1" -ne 5 ]; then status=$1; fi
}
# each backend: the func tier first (one process, minutes), then the integration tier (servers, kernels,
# browsers, many processes); markers set by tests/conftest.py
for tier in func integration; do
  echo "== SQLite, $tier tier"
  LINEAGEDB_TEST_DB=sqlite "$PY" -m pytest -q -p no:cacheprovider -m "$tier" "$@" || tier_failed $?
done
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  for tier in func integration; do
    echo "== PostgreSQL, $tier tier"
    LINEAGEDB_TEST_DB=postgresql "$PY" -m pytest -q -p no:cacheprovider -m "$tier and not sqlite_only" "$@" || tier_failed $?
  done
else
  echo "PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL run did not happen" >&2
  status=1
fi
exit $status
