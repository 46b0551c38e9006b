"""``bench_scale.py``'s instance: ``n`` records, ``n / 10`` artifacts, ``10 n`` feature values, loaded in bulk.

Layout at size ``n`` (1,000,000 at the issue's size):

- 10 features ``f0`` .. ``f9`` (even: int, odd: str), each with a fixed number of distinct values
  (``CARDINALITY``; ``f2`` and ``f3`` are unique per record: an id-like value);
- ``n`` records, saved with ``ln.save`` in batches (the product's bulk path);
- ``n / 10`` artifacts: one saved with its file, the others constructed as registry rows (key, size, hash;
  no file in storage, as metadata-only artifacts) and saved with ``ln.save`` in batches;
- feature values: every artifact has all 10 features (``n`` values), every record ``f0`` .. ``f8``
  (``9 n`` values), ``10 n`` in all, as link rows to shared ``FeatureValue`` rows (one per distinct
  value and feature, about ``2 n`` of them), the tables ``artifact.features.add_values`` writes.

Rows of the value and link tables go in with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) with
their indexes and constraints dropped, which are recreated afterwards (the usual bulk load: recreating
them also checks every foreign key). PostgreSQL then gets ``VACUUM ANALYZE``, what autovacuum does to
a grown table; SQLite gets nothing (lineagedb never runs ``ANALYZE`` there).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

N_FEATURES = 10
RECORD_FEATURES = 9  # f0 .. f8 on records
CARDINALITY = [100, 50, None, None, 1000, 1000, 10, 10_000, 20, 5]  # None: one value per host (unique)
PREFIX = {1: "group", 3: "sample", 5: "batch", 7: "donor", 9: "tissue"}
RECORD_BATCH = 50_000


def record_name(i: int) -> str:
    return f"record {i:07d} of the scale benchmark"


def artifact_key(i: int) -> str:
    return f"scale/a{i:07d}.txt"


def value(j: int, v: int) -> Any:
    """The ``v``-th distinct value of feature ``f{j}``."""
    return v if j % 2 == 0 else f"{PREFIX[j]}-{v:07d}"


def value_index(j: int, host: int) -> int:
    card = CARDINALITY[j]
    return host if card is None else host % card


def expected_values(j_count: int, host: int) -> dict[str, Any]:
    """What ``features.get_values()`` gives for host number ``host`` (0-based)."""
    return {f"f{j}": value(j, value_index(j, host)) for j in range(j_count)}


def _chunks(rows: Iterable[tuple], size: int = 100_000) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for r in rows:
        batch.append(r)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """Append ``rows`` to ``table``: ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""
    from django.db import connection, transaction

    cols = ", ".join(f'"{c}"' for c in columns)
    with transaction.atomic(), connection.cursor() as cur:
        raw = cur.cursor
        if connection.vendor == "sqlite":
            sql = f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(columns))})'
            for batch in _chunks(rows):
                raw.executemany(sql, batch)
        else:
            with raw.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row(r)


@contextmanager
def indexes_dropped(tables: list[str]) -> Iterator[None]:
    """Drop the secondary indexes and the unique and foreign-key constraints of ``tables``; recreate them after."""
    from django.db import connection

    recreate: list[str] = []
    with connection.cursor() as cur:
        for table in tables:
            if connection.vendor == "sqlite":
                cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                            [table])
                for name, sql in cur.fetchall():
                    cur.execute(f'DROP INDEX "{name}"')
                    recreate.append(sql)
                continue
            cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                        "AND contype IN ('u', 'f')", [table])
            for name, definition in cur.fetchall():
                cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                recreate.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cur.execute("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary", [table])
            for name, definition in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                recreate.insert(0, definition)  # indexes before the constraints that may use them
    try:
        yield
    finally:
        with connection.cursor() as cur:
            for sql in recreate:
                cur.execute(sql)


def _db_datetime(connection: Any, when: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(when) if connection.vendor == "sqlite" else when


def build(ln: Any, n: int, workdir: Path) -> dict[str, Any]:
    """Fill the connected instance ``ln`` (see the module docstring); returns seconds per step."""
    from django.db import connection

    from lineagedb.core.uids import base62
    from lineagedb.models._features import typed_columns, value_hash

    steps: dict[str, float] = {}
    t = time.perf_counter()
    features = [ln.Feature(name=f"f{j}", dtype=int if j % 2 == 0 else str).save() for j in range(N_FEATURES)]
    record_ids: list[int] = []
    for start in range(0, n, RECORD_BATCH):
        batch = [ln.Record(name=record_name(i)) for i in range(start, min(n, start + RECORD_BATCH))]
        ln.save(batch)
        record_ids += [r.id for r in batch]
    steps["records_s"] = time.perf_counter() - t

    t = time.perf_counter()
    n_artifacts = max(1, n // 10)
    path = workdir / "a0000000.txt"
    path.write_text("the first artifact of the scale benchmark\n")
    artifact_ids = [ln.Artifact(str(path), key=artifact_key(0)).save().id]  # one with its file
    for start in range(1, n_artifacts, RECORD_BATCH):  # the others registered as rows (no files)
        batch = [ln.Artifact(storage=ln.settings.storage, key=artifact_key(i), suffix=".txt", size=64,
                             hash=base62(22)) for i in range(start, min(n_artifacts, start + RECORD_BATCH))]
        ln.save(batch)
        artifact_ids += [a.id for a in batch]
    steps["artifacts_s"] = time.perf_counter() - t

    t = time.perf_counter()
    tables = ["lineagedb_featurevalue", "lineagedb_artifactfeaturevalue", "lineagedb_recordfeaturevalue"]
    now = _db_datetime(connection, dt.datetime.now(dt.UTC))
    counts = [min(n, CARDINALITY[j] or n) for j in range(N_FEATURES)]  # distinct values used, per feature

    def value_rows() -> Iterator[tuple]:
        for j, f in enumerate(features):
            for v in range(counts[j]):
                stored = value(j, v)
                number, text = typed_columns(f.dtype, stored)
                yield f.id, json.dumps(stored), value_hash(stored), number, text, now

    with connection.cursor() as cur:
        cur.execute('SELECT COALESCE(MAX("id"), 0) FROM "lineagedb_featurevalue"')
        before = cur.fetchone()[0]
    with indexes_dropped(tables):
        load_rows(tables[0], ["feature_id", "value", "hash", "number", "text", "created_at"], value_rows())
        with connection.cursor() as cur:
            cur.execute('SELECT "id" FROM "lineagedb_featurevalue" WHERE "id" > %s ORDER BY "id"', [before])
            fv_ids = [r[0] for r in cur.fetchall()]
        assert len(fv_ids) == sum(counts)
        base = [sum(counts[:j]) for j in range(N_FEATURES)]

        def links(ids: list[int], n_features: int) -> Iterator[tuple]:
            for host, host_id in enumerate(ids):
                for j in range(n_features):
                    yield host_id, fv_ids[base[j] + value_index(j, host)]

        load_rows(tables[1], ["artifact_id", "featurevalue_id"], links(artifact_ids, N_FEATURES))
        load_rows(tables[2], ["record_id", "featurevalue_id"], links(record_ids, RECORD_FEATURES))
        steps["values_load_s"] = time.perf_counter() - t
        t = time.perf_counter()
    steps["indexes_s"] = time.perf_counter() - t
    t = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    steps["analyze_s"] = time.perf_counter() - t

    for host in (0, n_artifacts // 2, n_artifacts - 1):  # the rows mean what add_values would have written
        got = ln.Artifact.get(key=artifact_key(host)).features.get_values()
        assert got == expected_values(N_FEATURES, host), (host, got)
    for host in (0, n // 2, n - 1):
        got = ln.Record.get(name=record_name(host)).features.get_values()
        assert got == expected_values(RECORD_FEATURES, host), (host, got)
    return {"n_records": n, "n_artifacts": n_artifacts, "n_feature_values": N_FEATURES * n_artifacts + RECORD_FEATURES * n,
            "n_value_rows": sum(counts), **steps}
