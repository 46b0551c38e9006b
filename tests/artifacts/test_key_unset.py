"""A saved artifact's key can change (keeping the data's suffix) but not be removed; a changed suffix renames managed bytes."""

import pytest


def test_artifact_key_cannot_be_unset(ln, tmp_path, unique):
    path = tmp_path / f"{unique}.txt"
    path.write_text(unique)
    artifact = ln.Artifact(str(path), key=f"{unique}/a.txt").save()
    artifact.key = None
    with pytest.raises(ln.errors.InvalidArgument, match="Cannot update an artifact key to None"):
        artifact.save()
    artifact.key = f"{unique}/b.csv"
    with pytest.raises(ln.errors.InvalidArgument, match="suffix '.csv' of the provided key is incorrect, it should be '.txt'"):
        artifact.save()
    assert ln.Artifact.get(id=artifact.id).key == f"{unique}/a.txt"
    artifact.key = f"{unique}/b.txt"
    artifact.save()
    assert ln.Artifact.get(key=f"{unique}/b.txt").id == artifact.id


def test_changing_the_suffix_renames_the_managed_bytes_and_the_key(ln, tmp_path, unique, monkeypatch):
    path = tmp_path / f"{unique}.csv"
    path.write_text(f"a\tb\n{unique}\t1\n")
    artifact = ln.Artifact(str(path), key=f"{unique}/t.csv").save()
    old = artifact.path
    questions: list[str] = []
    monkeypatch.setattr("builtins.input", lambda q: questions.append(q) or "n")
    artifact.suffix = ".tsv"
    assert artifact.save() is None  # declined: bytes and row stay
    assert old.exists() and ln.Artifact.get(id=artifact.id).suffix == ".csv" and "Renaming" in questions[0]
    monkeypatch.setattr("builtins.input", lambda q: questions.append(q) or "y")
    artifact.save()
    stored = ln.Artifact.get(id=artifact.id)
    assert (stored.suffix, stored.key) == (".tsv", f"{unique}/t.tsv")  # the key follows the suffix
    assert not old.exists() and stored.path.name.endswith(".tsv") and stored.path.read_text().startswith("a\tb")
    artifact.suffix, artifact.key = ".txt", f"{unique}/renamed.txt"  # both at once: the key given is kept
    artifact.save()
    assert ln.Artifact.get(id=artifact.id).key == f"{unique}/renamed.txt" and artifact.path.exists()
    artifact.suffix = "tsv"
    with pytest.raises(ln.errors.InvalidArgument, match="invalid suffix 'tsv'"):
        artifact.save()


def test_files_registered_in_place_keep_their_suffix(ln, tmp_path, unique):
    root = tmp_path / f"inplace_{unique}"
    (root / "sub").mkdir(parents=True)
    ln.Storage(root=str(root)).save()
    (root / "sub" / "f.csv").write_text(f"a,b\n{unique},2\n")
    artifact = ln.Artifact(str(root / "sub" / "f.csv")).save()
    assert artifact.key == "sub/f.csv"
    artifact.suffix = ".tsv"
    with pytest.raises(ln.errors.InvalidArgument, match="does not rename files it does not manage"):
        artifact.save()
    again = ln.Artifact(str(root / "sub" / "f.csv"))
    assert again.suffix == ".csv" and again.id == artifact.id  # nothing was changed
    again.key = "sub/f.tsv"
    with pytest.raises(ln.errors.InvalidArgument, match="suffix '.tsv' of the provided key is incorrect, it should be '.csv'"):
        again.save()
