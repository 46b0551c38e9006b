"""delete(permanent=...) and restore() on every registry and queryset."""

import pytest


def test_record_delete_trashes_then_removes(ln, unique):
    record = ln.Record(name=f"{unique}-del")
    assert record.delete() is None  # never saved: nothing to delete
    record.save()
    assert record.delete() is None
    assert record.branch == -1
    assert not ln.Record.filter(name=f"{unique}-del").exists()
    assert ln.Record.filter(name=f"{unique}-del", branch=-1).count() == 1
    count, per_model = record.delete(permanent=True)
    assert count == 1 and per_model == {"lineagedb.Record": 1}
    assert not ln.Record.filter(name=f"{unique}-del", branch=-1).exists()


def test_restore_and_recreating_a_trashed_record(ln, unique):
    record = ln.Record(name=f"{unique}-back").save()
    record.delete()
    assert record.restore().branch == 1
    assert ln.Record.get(name=f"{unique}-back").id == record.id
    record.delete()
    again = ln.Record(name=f"{unique}-back").save()  # the same name brings the trashed record back
    assert again.id == record.id and again.branch == 1


def test_registry_without_trash(ln, tmp_path):
    storage = ln.Storage(root=tmp_path.as_posix(), type="local").save()
    with pytest.raises(ln.errors.InvalidArgument, match="no trash"):
        storage.delete(permanent=False)
    with pytest.raises(ValueError, match="no trash"):
        ln.Storage.filter(root=tmp_path.as_posix()).delete(permanent=False)
    count, _ = storage.delete()  # no trash: delete() removes
    assert count == 1 and not ln.Storage.filter(root=tmp_path.as_posix()).exists()


def test_queryset_delete_trashes_or_removes(ln, unique):
    ln.save([ln.Record(name=f"{unique}-qs{i}") for i in range(3)])
    assert ln.Record.filter(name__startswith=f"{unique}-qs").delete() is None
    assert ln.Record.filter(name__startswith=f"{unique}-qs").count() == 0
    assert ln.Record.filter(name__startswith=f"{unique}-qs", branch=-1).count() == 3
    count, _ = ln.Record.filter(name__startswith=f"{unique}-qs", branch=-1).delete(permanent=True)
    assert count == 3
    assert ln.Record.filter(name__startswith=f"{unique}-qs", branch=-1).count() == 0


def test_trashing_the_latest_transform_version_promotes_the_previous(ln, unique):
    v1 = ln.Transform(key=f"{unique}-t", version="1").save()
    v2 = ln.Transform(key=f"{unique}-t", version="2", uid=ln.Transform._next_uid_in_family(v1.stem_uid))
    v1.is_latest = False
    v1.save()
    v2.save()
    v2.delete()
    v1.refresh_from_db()
    assert v1.is_latest and not v2.is_latest
    v2.restore()
    v1.refresh_from_db()
    assert v2.is_latest and not v1.is_latest
    v2.delete(permanent=True)
    v1.refresh_from_db()
    assert v1.is_latest



def test_branch_id_names_the_branch_number(ln, unique):
    record = ln.Record(name=f"{unique}-bid")
    assert record.branch_id == 1
    record.save().delete()
    assert record.branch_id == -1
    assert ln.Record.objects.filter(name=f"{unique}-bid", branch_id=-1).count() == 1
    assert ln.Record.filter(name=f"{unique}-bid", branch_id__in=[-1]).count() == 1
    assert ln.User.filter().first().branch_id is None  # no branches
