"""version_tag: LaminDB 2's name of the version a user gives, on every versioned registry."""

from __future__ import annotations

import pytest


def test_version_tag_is_the_stored_version(ln, unique):
    import pandas as pd

    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique]}), key=f"vt/{unique}.parquet", version_tag="1.0").save()
    assert artifact.version == "1.0" and artifact.version_tag == "1.0"
    artifact.version_tag = "1.1"
    artifact.save()
    assert ln.Artifact.get(key=f"vt/{unique}.parquet", version="1.1").version_tag == "1.1"
    collection = ln.Collection([artifact], key=f"vt-{unique}").save()
    assert collection.version_tag is None
    collection.version_tag = "2"
    assert collection.version == "2"
    transform = ln.Transform(key=f"vt-{unique}", version_tag="3").save()
    assert transform.version == "3" and transform.version_tag == "3"


def test_transform_version_falls_back_to_the_uid_suffix(ln, unique):
    transform = ln.Transform(key=f"vfall-{unique}").save()
    assert transform.version_tag is None and transform.version == transform.uid[-4:] == "0000"
    transform.version = "1.2"
    assert (transform.version_tag, transform.version) == ("1.2", "1.2")
    transform.save()
    assert ln.Transform.get(key=f"vfall-{unique}", version="1.2") == transform
    assert ln.Transform.get(key=f"vfall-{unique}", version_tag="1.2") == transform
    transform.version = None
    transform.save()
    loaded = ln.Transform.get(transform.uid)
    assert loaded.version_tag is None and loaded.version == loaded.uid[-4:]
    assert not ln.Transform.filter(key=f"vfall-{unique}", version=loaded.uid[-4:]).exists()  # queries see the tag
    v2 = ln.Transform(key=f"vfall-{unique}", source_code="print(2)").save()
    assert v2.version == "0001" and v2.version_tag is None


def test_artifact_and_collection_versions_fall_back_to_the_uid_suffix(ln, unique):
    import pandas as pd

    v1 = ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique]}), key=f"vsuf/{unique}.parquet").save()
    assert v1.version_tag is None and v1.version == "0000"
    assert not ln.Artifact.filter(key=f"vsuf/{unique}.parquet", version="0000").exists()  # queries see the tag
    v2 = ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique, "2"]}), key=f"vsuf/{unique}.parquet").save()
    assert v2.version == "0001" and ln.Artifact.get(v2.uid).version_tag is None
    collection = ln.Collection([v1, v2], key=f"vsuf-{unique}").save()
    assert collection.version == collection.uid[-4:] and ln.Collection.get(collection.uid).version_tag is None
    for registry in (ln.Artifact, ln.Collection, ln.Transform):
        with pytest.raises(TypeError, match=f"`revises` has to be of type `{registry.__name__}`, not Record"):
            if registry is ln.Artifact:
                ln.Artifact.from_dataframe(pd.DataFrame({"a": [unique, "3"]}), revises=ln.Record(name="x"))
            elif registry is ln.Collection:
                ln.Collection([v1], revises=ln.Record(name="x"))
            else:
                ln.Transform(key=f"vsuf-{unique}", revises=ln.Record(name="x"))


def test_revising_updates_the_revised_object(ln, unique):
    v1 = ln.Transform(key=f"rev-{unique}").save()
    v2 = ln.Transform(key=f"rev-{unique}", revises=v1, version="2").save()
    assert not v1.is_latest and v2.is_latest and v2.uid.endswith("0001")


def test_a_version_tag_is_unique_in_its_family(ln, unique):
    v1 = ln.Transform(key=f"tagged-{unique}", version="1.0", source_code="1", kind="pipeline").save()
    with pytest.raises(ln.errors.InvalidArgument, match="'1.0' is already taken"):
        ln.Transform(key=f"tagged-{unique}", version="1.0", source_code="2", kind="pipeline").save()
    v2 = ln.Transform(key=f"tagged-{unique}", source_code="2", kind="pipeline").save()
    assert v2.version_tag is None and v2.version == v2.uid[-4:] and v2.is_latest
    assert not ln.Transform.get(key=f"tagged-{unique}", version="1.0").is_latest
    with pytest.raises(ln.errors.InvalidArgument, match="already taken"):
        ln.Transform(revises=v1, version="1.0", source_code="3").save()
