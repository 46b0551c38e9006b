"""Branch and Space registries (built-in rows), and readme/comment blocks with versioned readmes and notes."""

from __future__ import annotations

import pytest


def test_builtin_branches_and_spaces(ln, unique):
    assert ln.Branch.get(name="main").id == 1
    assert ln.Branch.get(name="trash").id == -1
    assert ln.Space.get(name="all").id == 1
    mine = ln.Branch(name=f"contrib_{unique}").save()
    assert mine.id > 1 and mine.created_by_id is not None
    mine.emoji = "  🧬 "
    assert mine.emoji == "🧬"
    mine.delete(permanent=True)
    with pytest.raises(ln.errors.InvalidArgument, match="built in"):
        ln.Branch.get(name="main").delete(permanent=True)
    artifact_like = ln.Record(name=f"r_{unique}").save()
    assert artifact_like.branch_id == 1
    artifact_like.delete()
    assert ln.Record.filter(name=f"r_{unique}").count() == 0
    assert ln.Record.filter(name=f"r_{unique}", branch_id=None).count() == 1


def test_block_readme_versions_by_key_and_content(ln, unique):
    from lineagedb.models import Block

    key = f"README_{unique}.md"
    v1 = Block(key=key, content="# v1", kind="readme").save()
    assert Block(key=key, content="# v1", kind="readme") == v1  # same content: the stored block
    assert Block(key=key, kind="readme") == v1  # no content: the latest readme of the key
    v2 = Block(key=key, content="# v2", kind="readme", version="2")
    assert v2.stem_uid == v1.stem_uid and v2.uid != v1.uid and v2.uid.endswith("0001")
    assert v2.version == "2" and v1.version == v1.uid[-4:]
    v2.save()
    v1.refresh_from_db()
    assert not v1.is_latest and v2.is_latest
    v2.delete()  # to the trash: the previous version is the latest again
    v1.refresh_from_db()
    assert v1.is_latest
    assert Block(key=key, content="# v2", kind="readme") != v2
    with pytest.raises(ln.errors.InvalidArgument, match="can be passed"):
        Block(key=key, kind="readme", x=1)
    with pytest.raises(ln.errors.InvalidArgument, match="kind='readme'"):
        Block(key=key, content="y")
    with pytest.raises(ln.errors.InvalidArgument, match="version must be a string"):
        Block(key=key, kind="readme", version=0)


def test_record_and_branch_notes(ln, unique):
    from lineagedb.models import BranchBlock, RecordBlock

    record = ln.Record(name=f"noted_{unique}").save()
    assert record.notes is None
    first = RecordBlock(record=record, content="notes v1", kind="readme").save()
    assert record.notes == "notes v1"
    RecordBlock(record=record, content="notes v2", kind="readme").save()
    first.refresh_from_db()
    assert not first.is_latest and record.notes == "notes v2"
    c1 = RecordBlock(record=record, content="same", kind="comment").save()
    c2 = RecordBlock(record=record, content="same", kind="comment")
    assert c1.stem_uid != c2.stem_uid and record.notes == "notes v2"
    with pytest.raises(ln.errors.InvalidArgument, match="revises is not allowed for kind='comment'"):
        RecordBlock(record=record, content="x", kind="comment", revises=c1)
    with pytest.raises(ln.errors.InvalidArgument, match="record is required"):
        RecordBlock(content="x", kind="readme")
    branch = ln.Branch(name=f"notes_{unique}").save()
    BranchBlock(branch=branch, content="branch notes", kind="readme").save()
    assert branch.notes == "branch notes"
    assert BranchBlock.filter(branch=branch).count() == 1


def test_describe_shows_notes_and_comments(ln, unique):
    from lineagedb.models import RecordBlock

    record = ln.Record(name=f"described_{unique}").save()
    RecordBlock(record=record, content="# Overview", kind="readme").save()
    RecordBlock(record=record, content="looks good", kind="comment").save()
    plain = record.describe(return_str=True)
    assert "Notes" in plain and "Overview" in plain and "looks good" not in plain
    full = record.describe(return_str=True, include="comments")
    assert "comment by" in full and "looks good" in full


def test_builtin_rows_come_back_with_every_migrate(ln, make_instance):
    from django.core.management import call_command

    make_instance(modules="")
    ln.Branch.objects.filter(id__in=[0, -1]).delete_rows()  # an instance that predates them
    assert not ln.Branch.filter(name="trash").exists()
    call_command("migrate", "lineagedb", verbosity=0, interactive=False)  # what upgrading an instance runs
    assert set(ln.Branch.objects.values_list("name", flat=True)) >= {"main", "trash", "archive"}
    assert ln.Branch(name="after-migrate").save().id > 1  # the id sequence is past the built-in ids
