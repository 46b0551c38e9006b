"""Fixtures for collection tests (helpers live in collection_helpers.py: a conftest module would shadow the root one)."""

from __future__ import annotations

import pytest
from collection_helpers import make_adata


@pytest.fixture
def h5ad_files(tmp_path):
    """Two h5ad files with overlapping genes (g1..g4 and g2, g4, g5) and labels; returns (paths, adatas)."""
    a = make_adata(["g1", "g2", "g3", "g4"], 5, 0, ["T", "B", "T", "NK", "T"], sparse=True)
    b = make_adata(["g2", "g4", "g5"], 4, 100, ["B", "B", "Mono", "T"])
    paths = [str(tmp_path / "a.h5ad"), str(tmp_path / "b.h5ad")]
    a.write_h5ad(paths[0])
    b.write_h5ad(paths[1])
    return paths, [a, b]
