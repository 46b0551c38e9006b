#!/usr/bin/env bash
# Install what the tests need, start the services, run the whole suite on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
# torch is optional; the CPU build on this machine kind's disk is pinned (an unpinned torch pulls CUDA)
.venv/bin/python -m pip install -q "torch==2.13.0" 2>/dev/null || echo "torch==2.13.0 not installable here: loader tests that need torch are skipped"
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
echo "== SQLite"
LINEAGEDB_TEST_DB=sqlite .venv/bin/python -m pytest -q -p no:cacheprovider "$@" || status=$?
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "== PostgreSQL"
  LINEAGEDB_TEST_DB=postgresql .venv/bin/python -m pytest -q -p no:cacheprovider -m "not sqlite_only" "$@" || status=$?
else
  echo "PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL run did not happen" >&2
  status=1
fi
exit $status
