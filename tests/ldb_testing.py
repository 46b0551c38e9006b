"""Helpers shared by tests (a unique module name: per-folder conftest.py files would shadow `conftest`)."""

from __future__ import annotations

import os
import uuid

BACKEND = os.environ.get("LINEAGEDB_TEST_DB", "sqlite")
PG_ADMIN = os.environ.get("LINEAGEDB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def pg_url(dbname: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname


def create_pg_database() -> str:
    import psycopg

    name = f"ldbtest_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
