"""Croissant import: files become artifacts (several: a collection) with description, version, license, project."""

from __future__ import annotations

import json

import pytest


def test_one_file_then_a_new_version(ln, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    croissant_path, dataset_path = ln.examples.croissant.mini_immuno(n_files=1)
    artifact = ln.integrations.curate_from_croissant(croissant_path)
    assert artifact.description == "Mini immuno dataset - A few samples from the immunology dataset"
    assert artifact.key == "mini_immuno.anndata.zarr" and artifact.version == "1.0"
    labels = {r.name for r in artifact.records.all()} if hasattr(artifact, "records") else set()
    labels |= {r.name for r in getattr(artifact, "ulabels", artifact.records).all()}
    assert "https://creativecommons.org/licenses/by/4.0/" in labels

    croissant_path, dataset_path = ln.examples.croissant.mini_immuno(n_files=1, strip_version=True)
    (dataset_path / "dummy_file.txt").write_text("changed")
    again = ln.integrations.curate_from_croissant(croissant_path)
    assert again.key == artifact.key and again.uid != artifact.uid and again.uid[:16] == artifact.uid[:16]


def test_two_files_make_a_collection(ln, tmp_path, monkeypatch, unique):
    monkeypatch.chdir(tmp_path)
    croissant_path, first, second = ln.examples.croissant.mini_immuno(n_files=2, filepath_prefix=f"sub_{unique}/")
    collection = ln.integrations.curate_from_croissant(croissant_path)
    assert sorted(a.key for a in collection.artifacts.all()) == ["mini.csv", "mini_immuno.anndata.zarr"]


def test_bad_croissant_files_are_clear_errors(ln, tmp_path):
    with pytest.raises(ln.errors.InvalidArgument, match="no Croissant file"):
        ln.integrations.curate_from_croissant(tmp_path / "missing.json")
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"name": "x", "distribution": []}))
    with pytest.raises(ln.errors.InvalidArgument, match="no distribution"):
        ln.integrations.curate_from_croissant(empty)
    missing = tmp_path / "missing_file.json"
    missing.write_text(json.dumps({"name": "x", "distribution": [{"contentUrl": "nope.csv"}]}))
    with pytest.raises(ln.errors.InvalidArgument, match="'nope.csv', which does not exist"):
        ln.integrations.curate_from_croissant(missing)
