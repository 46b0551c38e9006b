"""Query plans that stay index lookups as an instance grows (SQLite: EXPLAIN QUERY PLAN of the public queries)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from ldb_testing import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's query planner and its statistics")


def _plan(qs) -> str:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(row[-1] for row in cur.fetchall())


def _analyzed_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cur.fetchall():
            return set()
        cur.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cur.fetchall()}


def test_statistics_are_kept_so_a_name_lookup_uses_the_name_index(make_instance):
    """Without statistics the planner may walk the ``branch`` index (every row) for ``get(name=)``."""
    inst = make_instance(modules="")
    import lineagedb as ln

    ln.save([ln.Record(name=f"plan {i}") for i in range(300)])
    assert ln.Record.get(name="plan 7").name == "plan 7"
    ln.setup.connect(inst.name)  # closes the connection: PRAGMA optimize analyzes what its queries used
    assert "lineagedb_record" in _analyzed_tables()
    plan = _plan(ln.Record.filter(name="plan 7"))
    assert "lineagedb_record_name" in plan and "branch" not in plan, plan


def test_statistics_are_kept_when_a_process_exits(make_instance):
    inst = make_instance(modules="")
    import lineagedb as ln

    ln.save([ln.Record(name=f"exit {i}") for i in range(50)])
    assert "lineagedb_record" not in _analyzed_tables()
    code = f"import lineagedb as ln; ln.setup.connect({inst.name!r}); ln.Record.get(name='exit 3')"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert "lineagedb_record" in _analyzed_tables()


def test_a_text_feature_value_is_found_through_the_value_index(make_instance):
    make_instance(modules="")
    import lineagedb as ln

    ln.Feature(name="donor", dtype=str).save()
    records = ln.save([ln.Record(name=f"donor {i}") for i in range(20)])
    for i, record in enumerate(records):
        record.features.set_values({"donor": f"D{i}"})
    assert list(ln.Record.filter(donor="D3")) == [records[3]]
    for qs in (ln.Record.filter(donor="D3"), ln.Record.filter(donor__in=["D3", "D4"])):
        assert "featurevalue_text_head (feature_id=? AND <expr>=?)" in _plan(qs)
