"""A saved artifact's key can change (keeping the data's suffix) but not be removed."""

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
