"""``ln.setup.switch``: new records go to the current branch, queries show main plus that branch, and a version
family keeps one latest version per branch."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def contrib(ln, unique):
    branch = ln.Branch(name=f"contrib_{unique}").save()
    yield branch
    ln.setup.switch("main")
    branch.delete(permanent=True)


def test_switch_places_new_records_and_scopes_queries(ln, unique, contrib):
    on_main = ln.Record(name=f"main_{unique}").save()
    assert on_main.branch_id == 1
    assert ln.setup.switch(contrib.name) == contrib
    on_contrib = ln.Record(name=f"contrib_{unique}").save()
    assert on_contrib.branch_id == contrib.id
    explicit = ln.Record(name=f"explicit_{unique}", branch=ln.Branch.get(name="main")).save()
    assert explicit.branch_id == 1
    names = set(ln.Record.filter(name__endswith=unique).values_list("name", flat=True))
    assert names == {f"main_{unique}", f"contrib_{unique}", f"explicit_{unique}"}  # main + the current branch
    ln.setup.switch("main")
    names = set(ln.Record.filter(name__endswith=unique).values_list("name", flat=True))
    assert names == {f"main_{unique}", f"explicit_{unique}"}
    assert ln.Record.filter(name=f"contrib_{unique}", branch_id=contrib.id).one() == on_contrib
    assert ln.Record.filter(name=f"contrib_{unique}", branch=contrib).one() == on_contrib  # a Branch works too
    assert ln.Record.filter(name__endswith=unique, branch__in=[contrib, 1]).count() == 3
    assert ln.Record.get(on_contrib.uid) == on_contrib  # a uid finds a record on any branch
    for record in (on_main, on_contrib, explicit):
        record.delete(permanent=True)


def test_switch_refuses_unknown_and_builtin_non_work_branches(ln, unique):
    with pytest.raises(ln.errors.DoesNotExist, match=f"no branch named 'nope_{unique}'"):
        ln.setup.switch(f"nope_{unique}")
    with pytest.raises(ln.errors.InvalidArgument, match="trash"):
        ln.setup.switch("trash")
    assert ln.Record(name=f"after_{unique}").branch_id == 1  # still on main


def test_connect_starts_on_main(ln, unique, contrib):
    ln.setup.switch(contrib)
    ln.connect(ln.setup.current().name)
    assert ln.Record(name=f"fresh_{unique}").branch_id == 1


def test_versions_keep_one_latest_per_branch(ln, unique, contrib):
    key = f"branches/{unique}.parquet"
    v1 = ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique, "1"]}), key=key).save()
    ln.setup.switch(contrib.name)
    v2 = ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique, "2"]}), revises=v1).save()
    v1.refresh_from_db()
    assert v2.branch_id == contrib.id and v2.uid.endswith("0001")
    assert v1.is_latest and v2.is_latest  # main's latest stays latest on main
    assert ln.Artifact.get(v1.stem_uid) == v2  # on the branch, its own latest
    v3 = ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique, "3"]}), revises=v1).save()
    v1.refresh_from_db(), v2.refresh_from_db()
    assert v3.uid.endswith("0002") and v3.is_latest and not v2.is_latest and v1.is_latest
    assert [v.uid for v in v3.versions] == [v1.uid, v2.uid, v3.uid]
    v3.delete()  # to the trash: the branch's previous version becomes its latest, main's is untouched
    v1.refresh_from_db(), v2.refresh_from_db()
    assert v2.is_latest and v1.is_latest
    ln.setup.switch("main")
    assert ln.Artifact.get(v1.stem_uid) == v1
    assert [v.uid for v in v1.versions] == [v1.uid]
    for version in ln.Artifact.objects.filter(uid__startswith=v1.stem_uid):
        version.delete(permanent=True)


def test_transform_versions_per_branch(ln, unique, contrib):
    t1 = ln.Transform(key=f"branch_{unique}.py", source_code=f"print('{unique} 1')", kind="pipeline").save()
    ln.setup.switch(contrib)
    t2 = ln.Transform(key=f"branch_{unique}.py", revises=t1, source_code=f"print('{unique} 2')", kind="pipeline").save()
    t1.refresh_from_db()
    assert t1.is_latest and t2.is_latest and t2.branch_id == contrib.id
    t2.delete(permanent=True)
    t1.delete(permanent=True)


def test_record_blocks_live_on_a_branch_without_trash(ln, unique, contrib):
    from lineagedb.models import RecordBlock

    record = ln.Record(name=f"blocked_{unique}").save()
    on_main = RecordBlock(record=record, content=f"main {unique}", kind="comment").save()
    assert on_main.branch_id == 1 and on_main.created_on_id == 1
    ln.setup.switch(contrib)
    on_contrib = RecordBlock(record=record, content=f"contrib {unique}", kind="comment").save()
    assert on_contrib.branch_id == contrib.id and on_contrib.created_on == contrib
    assert RecordBlock.filter(content__endswith=unique).count() == 2
    ln.setup.switch("main")
    assert list(RecordBlock.filter(content__endswith=unique)) == [on_main]
    on_contrib.delete()  # no trash: removed
    assert RecordBlock.filter(content__endswith=unique, branch_id=None).count() == 1
    record.delete(permanent=True)


def test_search_finds_records_of_the_current_branch(ln, unique, contrib):
    ln.setup.switch(contrib)
    record = ln.Record(name=f"zebrafish {unique}").save()
    assert record in ln.Record.search(f"zebrafsh {unique}").to_list()  # a typo: the fuzzy candidates
    assert record in ln.Record.search(f"zebrafish {unique}").to_list()
    ln.setup.switch("main")
    assert record not in ln.Record.search(f"zebrafish {unique}").to_list()
    record.delete(permanent=True)


def test_same_content_on_a_branch_returns_the_branch_artifact(ln, unique, contrib):
    ln.setup.switch(contrib)
    df = pd.DataFrame({"a": [unique, "dedup"]})
    first = ln.Artifact.from_dataframe(df, key=f"dedup/{unique}.parquet").save()
    again = ln.Artifact.from_dataframe(df, key=f"dedup/{unique}.parquet")
    assert again == first and not again._state.adding
    assert ln.Artifact.filter(key=f"dedup/{unique}.parquet", branch_id=None).count() == 1
    ln.setup.switch("main")
    on_main = ln.Artifact.from_dataframe(df, key=f"dedup/{unique}.parquet").save()
    assert on_main != first and on_main.branch_id == 1  # main does not see the branch's artifact
    for artifact in ln.Artifact.objects.filter(key=f"dedup/{unique}.parquet"):
        artifact.delete(permanent=True)


def test_get_by_key_follows_the_current_branch(ln, unique, contrib):
    key = f"branches/fast_{unique}.parquet"
    v1 = ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique, "main"]}), key=key).save()
    assert ln.Artifact.get(key=key) == v1  # the prepared path, made while on main
    ln.setup.switch(contrib.name)
    v2 = ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique, "branch"]}), key=key).save()
    assert ln.Artifact.get(key=key) == v2  # on the branch: its own latest, not main's plan
    ln.setup.switch("main")
    assert ln.Artifact.get(key=key) == v1
