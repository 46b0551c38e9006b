"""Collection(schema=): every member artifact was validated with that schema, checked when the collection is
built, appended to, given a schema later, and on demand with verify_schema()."""

from __future__ import annotations

import pandas as pd
import pytest


def _frames(unique: str, n: int) -> list[pd.DataFrame]:
    return [pd.DataFrame({f"x_{unique}": [i, i + 1], f"y_{unique}": [f"{unique}-{i}", "b"]}) for i in range(n)]


@pytest.fixture
def schemas(ln, unique):
    features = ln.save(ln.Feature.from_dataframe(_frames(unique, 1)[0]))
    both = ln.Schema(features, name=f"both_{unique}").save()
    one = ln.Schema(features[:1], name=f"one_{unique}").save()
    return both, one


def test_members_must_carry_the_collection_schema(ln, unique, schemas):
    both, one = schemas
    df1, df2, df3 = _frames(unique, 3)
    a1 = ln.Artifact.from_dataframe(df1, key=f"cs_{unique}/1.parquet", schema=both).save()
    a2 = ln.Artifact.from_dataframe(df2, key=f"cs_{unique}/2.parquet", schema=both).save()
    other = ln.Artifact.from_dataframe(df3[[f"x_{unique}"]], key=f"cs_{unique}/3.parquet", schema=one).save()
    collection = ln.Collection([a1, a2], key=f"cs_{unique}", schema=both).save()
    assert collection.schema == both and list(both.validated_collections.all()) == [collection]
    collection.verify_schema()
    with pytest.raises(ln.errors.ValidationError, match=r"do not match the collection schema.*cs_\w+/3.parquet"):
        ln.Collection([a1, other], key=f"cs_{unique}-mixed", schema=both)
    with pytest.raises(ln.errors.ValidationError, match="do not match the collection schema"):
        collection.append(other)  # a new version inherits the schema
    v2 = ln.Collection([a2, a1], key=f"cs_{unique}")  # a new version of the key inherits it too
    assert v2.schema == both
    v2.save()
    a2.schema = one  # the artifact changed after the collection was made
    a2.save()
    with pytest.raises(ln.errors.ValidationError, match=r"cs_\w+/2.parquet"):
        collection.verify_schema()
    with pytest.raises(ln.errors.InvalidArgument, match="saved ln.Schema"):
        ln.Collection([a1], key=f"cs_{unique}-x", schema="both")


def test_a_schema_set_later_is_verified_on_save(ln, unique, schemas):
    both, one = schemas
    df1, df2 = _frames(unique, 2)
    a1 = ln.Artifact.from_dataframe(df1, key=f"cl_{unique}/1.parquet", schema=both).save()
    a2 = ln.Artifact.from_dataframe(df2[[f"x_{unique}"]], key=f"cl_{unique}/2.parquet", schema=one).save()
    good = ln.Collection([a1], key=f"cl_{unique}-good").save()
    assert good.schema is None
    with pytest.raises(ln.errors.InvalidArgument, match="no schema to verify"):
        good.verify_schema()
    good.schema = both
    good.save()
    assert ln.Collection.get(good.uid).schema == both
    bad = ln.Collection([a1, a2], key=f"cl_{unique}-bad").save()
    bad.schema = both
    with pytest.raises(ln.errors.ValidationError, match="do not match the collection schema"):
        bad.save()
    assert ln.Collection.get(bad.uid).schema_id is None  # nothing was written
    unsaved = ln.Collection([a2], key=f"cl_{unique}-unsaved")
    unsaved.schema = both
    with pytest.raises(ln.errors.ValidationError):
        unsaved.save()
    with pytest.raises(Exception, match="Collection.schema"):  # a schema collections use stays
        both.delete(permanent=True)
