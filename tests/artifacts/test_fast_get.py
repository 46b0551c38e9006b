"""``get(key=)``, ``get(uid=)`` and ``get(id=)`` take a prepared-SQL path (models/_fast_get.py); it must return
what the general path returns in every case: trash, hidden kinds, versions, no match, several matches, unicode keys.

The general path is reached with the same meaning through a ``Q`` object (``get(Q(key=k))``) or a positional uid.
"""

from __future__ import annotations

import unicodedata

import pytest
from artifact_helpers import write  # noqa: F401 (fixture)
from django.db.models import Q


def _same(a, b) -> bool:
    fields = [f.attname for f in type(a)._meta.concrete_fields]
    return type(a) is type(b) and [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]


def test_get_by_key_uid_id_matches_the_general_path(ln, write, unique):
    from django.db import connections

    from lineagedb.models import _fast_get

    a = ln.Artifact(write("a.txt"), key=f"{unique}/a.txt").save()
    fast = ln.Artifact.get(key=a.key)
    assert _fast_get._PLANS[connections["default"]][(ln.Artifact, "key", (1,))]  # the prepared path served it (on main)
    assert _same(fast, a) and _same(fast, ln.Artifact.get(Q(key=a.key)))
    assert not fast._state.adding and fast._state.db == "default"
    assert _same(ln.Artifact.get(uid=a.uid), ln.Artifact.get(a.uid))
    assert _same(ln.Artifact.get(id=a.id), a)
    assert isinstance(fast.created_at, type(a.created_at)) and fast.created_at == a.created_at
    assert fast.is_latest is True  # converted from SQLite's integer, as Django does
    fast.description = "changed"
    fast.save()  # an ordinary saved record: updates, not inserts
    assert ln.Artifact.get(key=a.key).description == "changed"
    assert ln.Artifact.filter(key=a.key).count() == 1


def test_get_prefers_the_latest_version(ln, write, unique):
    key = f"{unique}/v.txt"
    v1 = ln.Artifact(write("1.txt"), key=key).save()
    v2 = ln.Artifact(write("2.txt"), key=key).save()
    assert ln.Artifact.get(key=key).uid == v2.uid == ln.Artifact.get(Q(key=key)).uid
    assert ln.Artifact.get(uid=v1.uid).uid == v1.uid  # a uid pins the version
    assert ln.Artifact.get(id=v1.id).uid == v1.uid
    # no version is latest: the one match is still found; two are several, as on the general path
    ln.Artifact.filter(key=key).update(is_latest=False)
    with pytest.raises(ln.Artifact.MultipleObjectsReturned) as fast:
        ln.Artifact.get(key=key)
    assert str(fast.value) == (f"several Artifact records match key={key!r}; narrow the query or use "
                               ".filter(...).first()")
    assert isinstance(fast.value, ln.errors.MultipleResultsFound)
    with pytest.raises(ln.Artifact.MultipleObjectsReturned):
        ln.Artifact.get(Q(key=key))
    ln.Artifact.filter(uid=v2.uid).delete(permanent=True)
    assert ln.Artifact.get(key=key).uid == v1.uid == ln.Artifact.get(Q(key=key)).uid
    v3 = ln.Artifact(write("3.txt"), key=key).save()  # a new latest version is preferred again
    assert ln.Artifact.get(key=key).uid == v3.uid == ln.Artifact.get(Q(key=key)).uid


def test_get_hides_trash_and_internal_artifacts_unless_pinned(ln, write, unique):
    from lineagedb.models._lineage_kind import INTERNAL_KIND

    a = ln.Artifact(write("t.txt"), key=f"{unique}/t.txt").save()
    a.delete()
    with pytest.raises(ln.Artifact.DoesNotExist):
        ln.Artifact.get(key=a.key)
    with pytest.raises(ln.Artifact.DoesNotExist):
        ln.Artifact.get(Q(key=a.key))
    assert ln.Artifact.get(uid=a.uid).branch_id == -1 == ln.Artifact.get(a.uid).branch_id  # a uid finds the trash
    assert ln.Artifact.get(id=a.id).uid == a.uid
    hidden = ln.Artifact(write("h.txt"), key=f"{unique}/h.txt", kind=INTERNAL_KIND).save()
    with pytest.raises(ln.errors.DoesNotExist):
        ln.Artifact.get(key=hidden.key)
    assert ln.Artifact.get(uid=hidden.uid).uid == hidden.uid == ln.Artifact.get(hidden.uid).uid
    record = ln.Record(name=f"{unique} trashed").save()
    record.delete()
    with pytest.raises(ln.Record.DoesNotExist):
        ln.Record.get(name=record.name)
    assert ln.Record.get(uid=record.uid).id == ln.Record.get(id=record.id).id == record.id


def test_get_of_nothing_raises_the_general_error(ln, unique):
    key = f"{unique}/missing.txt"
    with pytest.raises(ln.Artifact.DoesNotExist) as fast:
        ln.Artifact.get(key=key)
    assert isinstance(fast.value, ln.errors.DoesNotExist)
    assert str(fast.value) == f"no Artifact matches key={key!r}; browse with ln.Artifact.filter(...).to_dataframe()"
    with pytest.raises(ln.errors.DoesNotExist, match="no Artifact matches uid='nosuchuid'"):
        ln.Artifact.get(uid="nosuchuid")
    with pytest.raises(ln.errors.DoesNotExist, match="no Record matches id=987654321;"):
        ln.Record.get(id=987654321)  # the value compiled into the prepared SQL matches nothing either
    with pytest.raises(ln.errors.InvalidLookup, match="Unknown field 'key'"):
        ln.Record.get(key="x")  # a field the registry lacks: the general path's error


def test_get_finds_a_key_by_any_unicode_spelling(ln, write, unique):
    composed = unicodedata.normalize("NFC", f"{unique}/café-Ångström.txt")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    a = ln.Artifact(write("u.txt"), key=decomposed).save()
    assert a.key == composed
    assert ln.Artifact.get(key=decomposed).uid == a.uid == ln.Artifact.get(key=composed).uid
    with pytest.raises(ln.Artifact.DoesNotExist, match="no Artifact matches key="):
        ln.Artifact.get(key=composed.replace("café", "cafe"))


def test_other_gets_keep_the_general_path(ln, write, unique):
    a = ln.Artifact(write("o.txt"), key=f"{unique}/o.txt").save()
    assert ln.Artifact.get(key=a.key, is_latest=True).uid == a.uid  # two keywords
    assert ln.Artifact.get(a.uid[:12]).uid == a.uid  # a uid prefix
    with pytest.raises(ln.errors.InvalidArgument):
        ln.Artifact.get(id="not a number")
