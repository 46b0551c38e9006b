"""bio tests keep the parquet copies of public ontologies between sessions (they are keyed by version)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _bio_cache():
    previous = os.environ.get("LINEAGEDB_BIO_CACHE")
    os.environ["LINEAGEDB_BIO_CACHE"] = str(Path(tempfile.gettempdir()) / f"lineagedb-bio-test-cache-{os.getuid()}")
    yield
    if previous is None:
        os.environ.pop("LINEAGEDB_BIO_CACHE", None)
    else:
        os.environ["LINEAGEDB_BIO_CACHE"] = previous
