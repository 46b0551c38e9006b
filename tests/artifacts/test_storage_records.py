"""Registering storage locations, writing artifacts into one, and moving an artifact between them."""

from __future__ import annotations

import concurrent.futures

import pytest
from artifact_helpers import write  # noqa: F401 (fixture)


def test_storage_save_normalizes_and_returns_the_existing_record(ln, tmp_path, monkeypatch, unique):
    monkeypatch.chdir(tmp_path)
    first = ln.Storage(root=f"./loc_{unique}/", host="lab-server").save()
    assert first.root == (tmp_path / f"loc_{unique}").resolve().as_posix()
    assert (first.type, first.host, first.is_managed) == ("local", "lab-server", True)
    assert first.root_as_str == (tmp_path / f"loc_{unique}").resolve().as_posix()
    again = ln.Storage(root=str(tmp_path / f"loc_{unique}")).save()
    assert again.id == first.id and not again._state.adding
    assert ln.Storage(root="s3://bucket/prefix/", type="s3").host is None


def test_concurrent_saves_of_one_root_make_one_record(ln, tmp_path, unique):
    root = str(tmp_path / f"parallel_{unique}")

    def register():
        return ln.Storage(root=root).save().id

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        ids = {f.result() for f in [pool.submit(register) for _ in range(3)]}
    assert len(ids) == 1 and ln.Storage.filter(root=root).count() == 1


def test_artifact_into_a_chosen_storage_and_moved_to_another(ln, write, tmp_path, unique):
    s1 = ln.Storage(root=str(tmp_path / f"s1_{unique}")).save()
    s2 = ln.Storage(root=str(tmp_path / f"s2_{unique}")).save()
    artifact = ln.Artifact(write("m.tsv", b"a\tb\n" + unique.encode()), key=f"{unique}/m.tsv", storage=s1).save()
    old = artifact.path
    assert str(old).startswith(s1.root) and old.exists()
    artifact.storage = s2
    artifact.save()
    assert str(artifact.path).startswith(s2.root) and artifact.path.exists() and not old.exists()
    assert ln.Artifact.get(id=artifact.id).storage_id == s2.id
    ln.Storage.filter(id=s1.id).update(instance_uid="foreign00000")
    artifact.storage = s1
    with pytest.raises(ln.errors.InvalidArgument, match="to a storage location that is not managed"):
        artifact.save()
    saved = ln.Artifact.get(id=artifact.id)  # the refused move changed nothing
    assert saved.storage_id == s2.id and saved.path.exists()
    s1_record = ln.Storage.get(id=s1.id)
    with pytest.raises(ln.errors.InvalidArgument, match="not managed by this instance"):
        ln.Artifact(write("n.tsv", b"x\ty\n" + unique.encode()), key=f"{unique}/n.tsv", storage=s1_record)


def test_a_storage_move_asks_first_and_no_keeps_everything(ln, write, tmp_path, unique, monkeypatch):
    s1 = ln.Storage(root=str(tmp_path / f"ask1_{unique}")).save()
    s2 = ln.Storage(root=str(tmp_path / f"ask2_{unique}")).save()
    artifact = ln.Artifact(write("q.tsv", b"q\t1\n" + unique.encode()), key=f"{unique}/q.tsv", storage=s1).save()
    old = artifact.path
    questions = []
    monkeypatch.setattr("builtins.input", lambda q: questions.append(q) or "n")
    artifact.storage = s2
    assert artifact.save() is None  # declined: bytes and row stay, the assignment stays in memory
    assert len(questions) == 1 and "Continue? (y/n)" in questions[0] and s2.root in questions[0]
    assert old.exists() and artifact.storage_id == s2.id and ln.Artifact.get(id=artifact.id).storage_id == s1.id
    monkeypatch.setattr("builtins.input", lambda q: questions.append(q) or "y")
    assert artifact.save() is artifact and len(questions) == 2
    assert not old.exists() and ln.Artifact.get(id=artifact.id).storage_id == s2.id and artifact.path.exists()
    monkeypatch.setattr(ln.settings, "prompts", False)  # scripts: the call is the confirmation
    artifact.storage = s1
    assert artifact.save() is artifact and len(questions) == 2 and str(artifact.path).startswith(s1.root)


def test_example_file_mini_csv(ln, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = ln.examples.datasets.file_mini_csv()
    assert path == tmp_path / "mini.csv" and path.read_text().startswith("test,value")


def test_spaces_constrain_storage_moves(ln, write, tmp_path, unique):
    artifact = ln.Artifact(write("sp.tsv", b"s\t1\n" + unique.encode()), key=f"{unique}/sp.tsv").save()
    space = ln.Space(name=f"space {unique}").save()
    other = ln.Storage(root=str(tmp_path / f"sp_{unique}")).save()
    ln.Storage.filter(id=other.id).update(space_id=space.id)
    artifact.storage = ln.Storage.get(id=other.id)
    with pytest.raises(ln.errors.InvalidArgument, match="not in the same space"):
        artifact.save()
    artifact = ln.Artifact.get(id=artifact.id)
    lonely = ln.Space(name=f"lonely {unique}").save()
    artifact.space = lonely
    with pytest.raises(ln.errors.InvalidArgument, match="No local storage locations managed by the current instance"):
        artifact.save()
    artifact = ln.Artifact.get(id=artifact.id)
    artifact.space = space  # a space change alone moves the bytes to a storage of that space
    artifact.save()
    saved = ln.Artifact.get(id=artifact.id)
    assert (saved.space_id, saved.storage_id) == (space.id, other.id) and saved.path.exists()


def test_foreign_storage_refuses_saves_and_space_changes(ln, write, unique):
    from unittest import mock

    artifact = ln.Artifact(write("f.tsv", b"f\t1\n" + unique.encode()), key=f"{unique}/f.tsv")
    with mock.patch.object(artifact.storage, "instance_uid", "foreign00000"):
        with pytest.raises(ln.errors.InvalidArgument, match="Cannot save an artifact to a storage location"):
            artifact.save()
    artifact.save()
    artifact.space = ln.Space(name=f"foreign space {unique}").save()
    with mock.patch.object(artifact.storage, "instance_uid", "foreign00000"):
        with pytest.raises(ln.errors.InvalidArgument, match="Cannot change the space of an artifact"):
            artifact.save()
