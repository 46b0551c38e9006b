"""Trash, restore, permanent deletion (managed bytes only), loaders and describe()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from artifact_helpers import write  # noqa: F401 (fixture)


def test_trash_restore_and_permanent_delete(ln, write, unique):
    artifact = ln.Artifact(write("d.txt"), key=f"{unique}/d.txt").save()
    stored = Path(str(artifact.path))
    artifact.description = "My new description"
    artifact.save()
    artifact.delete()
    assert ln.Artifact.filter(key=f"{unique}/d.txt").count() == 0, "trash is hidden by default"
    trashed = ln.Artifact.filter(branch=-1, key=f"{unique}/d.txt").one()
    assert trashed.description == "My new description" and stored.exists(), "trash keeps the bytes"
    with pytest.raises(ln.errors.DoesNotExist):
        ln.Artifact.get(key=f"{unique}/d.txt")
    artifact.delete()  # already in the trash, nobody to ask (stdin captured): says so, changes nothing
    assert ln.Artifact.filter(branch=-1, uid=artifact.uid).exists() and stored.exists()
    artifact.restore()
    assert ln.Artifact.get(key=f"{unique}/d.txt").uid == artifact.uid
    artifact.delete(permanent=True)
    assert not stored.exists() and not ln.Artifact.filter(branch=-1, uid=artifact.uid).exists()
    assert not list(stored.parent.glob(f".tmp-{artifact.uid}*"))


def test_deleting_a_trashed_artifact_asks_before_deleting_for_good(ln, write, unique, monkeypatch):
    artifact = ln.Artifact(write("t.txt"), key=f"{unique}/t.txt").save()
    stored = Path(str(artifact.path))
    artifact.delete()
    answers = iter(["n", "y"])
    questions = []
    monkeypatch.setattr("builtins.input", lambda q: questions.append(q) or next(answers))
    artifact.delete()  # "n": stays in the trash
    assert "permanently" in questions[0] and "Continue? (y/n)" in questions[0]
    assert ln.Artifact.filter(branch=-1, uid=artifact.uid).exists() and stored.exists()
    artifact.delete()  # "y": gone, bytes too
    assert not ln.Artifact.filter(branch=None, uid=artifact.uid).exists() and not stored.exists()
    other = ln.Artifact(write("t2.txt"), key=f"{unique}/t2.txt").save()
    other.delete()
    monkeypatch.setattr(ln.settings, "prompts", False)  # unattended: never deleted for good without permanent=True
    other.delete()
    assert ln.Artifact.filter(branch=-1, uid=other.uid).exists() and len(questions) == 2


def test_permanent_delete_never_touches_unmanaged_bytes(ln, tmp_path, unique):
    ln.Storage.register_root(str(tmp_path / "lab"))
    (tmp_path / "lab").mkdir()
    src = tmp_path / "lab" / "keep.csv"
    src.write_text(f"a\n{unique}\n")
    artifact = ln.Artifact(src, key=f"{unique}/keep.csv").save()
    artifact.delete(permanent=True)
    assert src.read_text() == f"a\n{unique}\n"
    inside = Path(ln.settings.storage.root, f"{unique}.txt")
    inside.write_text(unique)
    own = ln.Artifact(inside).save()
    assert own._real_key == f"{unique}.txt"
    own.delete(permanent=True)
    assert inside.read_text() == unique, "in-place files in the default root stay too"


def test_loaders_by_suffix(ln, write, unique):
    csv = ln.Artifact(write("t.csv", f"a,b\n1,x{unique}\n".encode()), key=f"{unique}/t.csv").save()
    assert csv.load()["b"].tolist() == [f"x{unique}"]
    tsv = ln.Artifact(write("t.tsv", f"a\tb\n1\t{unique}\n".encode()), key=f"{unique}/t.tsv").save()
    assert tsv.load().columns.tolist() == ["a", "b"]
    js = ln.Artifact(write("t.json", json.dumps({"u": unique}).encode()), key=f"{unique}/t.json").save()
    assert js.load() == {"u": unique}
    fcs = ln.Artifact(write("t.fcs"), key=f"{unique}/t.fcs").save()
    with pytest.raises(ln.errors.UnknownSuffix, match=r"\.fcs.*cache\(\)"):
        fcs.load()
    assert fcs.cache().read_bytes() == Path(str(fcs.path)).read_bytes()
    with pytest.raises(ln.errors.UnknownSuffix, match="cannot stream"):
        csv.open()


def test_reading_tracks_run_inputs(ln, write, unique):
    from lineagedb.core.context import set_run

    artifact = ln.Artifact(write("in.csv", f"a\n{unique}\n".encode()), key=f"{unique}/in.csv").save()
    transform = ln.Transform(key=f"{unique}-reader.py", kind="script").save()
    run = ln.Run(transform=transform).save()
    set_run(run)
    try:
        artifact.load()
    finally:
        set_run(None)
    assert list(run.input_artifacts.all()) == [artifact]


def test_describe_shows_core_fields_without_touching_storage(ln, write, unique):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lineagedb.core.context import set_run

    transform = ln.Transform(key=f"{unique}-maker.py", kind="script").save()
    run = ln.Run(transform=transform).save()
    set_run(run)
    try:
        artifact = ln.Artifact(write("x.csv", b"a\n" * 1000), key=f"{unique}/x.csv", version="2.0").save()
    finally:
        set_run(None)
    Path(str(artifact.path)).unlink()  # describe() must not need the bytes
    fresh = ln.Artifact.get(key=f"{unique}/x.csv")
    from rich.tree import Tree

    from lineagedb.models._artifact_describe import artifact_section

    with CaptureQueriesContext(connection) as queries:
        artifact_section(fresh, Tree("t"))
    assert len(queries) <= 2, [q["sql"] for q in queries]
    text = fresh.describe(return_str=True)
    for part in (f"{unique}/x.csv", "version: 2.0", fresh.uid, fresh.hash, "2.0 KB", str(fresh.path),
                 f"{unique}-maker.py", run.uid, ln.settings.user.handle):
        assert part in text, (part, text)


def test_examples_have_the_fixed_values(ln):
    mini = ln.examples.datasets.mini_immuno
    df = mini.get_dataset1()
    assert list(df.index) == ["sample1", "sample2", "sample3"]
    assert list(df.columns) == ["ENSG00000153563", "ENSG00000010610", "ENSG00000170458", "perturbation", "sample_note",
                                "cell_type_by_expert", "cell_type_by_model", "assay_oid", "concentration",
                                "treatment_time_h", "donor"]
    assert df["perturbation"].tolist() == ["DMSO", "IFNG", "DMSO"] and str(df["perturbation"].dtype) == "category"
    assert mini.get_dataset1(with_typo=True)["perturbation"].tolist() == ["DMSO", "IFNJ", "DMSO"]
    assert df["sample_note"].tolist() == ["was ok", "looks naah", "pretty! 🤩"]
    assert df["donor"].tolist() == ["D0001", "D0002", None] and df["treatment_time_h"].tolist() == [24, 24, 6]
    assert df.attrs["temperature"] == 21.6 and df.attrs["date_of_study"] == "2024-12-01"
    assert "B-cell" in set(mini.get_dataset1(with_cell_type_synonym=True)["cell_type_by_expert"])
    df2 = mini.get_dataset2()
    assert list(df2.index) == ["sample4", "sample5", "sample6"] and df2["ENSG00000004468"].tolist() == [4, 2, 3]
    assert df2.attrs["experiment"] == "Experiment 2"
    adata = mini.get_dataset1(otype="AnnData")
    assert adata.shape == (3, 3) and list(adata.var_names) == ["ENSG00000153563", "ENSG00000010610", "ENSG00000170458"]
    assert adata.uns["temperature"] == 21.6 and "perturbation" in adata.obs.columns
    with pytest.raises(ln.errors.InvalidArgument, match="otype"):
        mini.get_dataset1(otype="table")
