"""DataFrame schemas with an ``attrs`` slot: artifact.features.slots, link tables queried and deleted."""

from __future__ import annotations

import pandas as pd
import pytest


def test_attrs_slot_shows_in_artifact_feature_slots(ln, unique):
    u = unique
    temp = ln.Feature(name=f"temp_{u}", dtype=float).save()
    exp = ln.Feature(name=f"exp_{u}", dtype=str).save()
    meta = ln.Schema(name=f"meta_{u}", features=[temp, exp]).save()
    kind = ln.Feature(name=f"kind_{u}", dtype=str).save()
    schema = ln.Schema(features=[kind], slots={"attrs": meta}, otype="DataFrame").save()
    df = pd.DataFrame({f"kind_{u}": ["a", "b"]})
    df.attrs = {f"temp_{u}": 21.5, f"exp_{u}": "e1"}
    curator = ln.curators.DataFrameCurator(df, schema=schema)
    artifact = curator.save_artifact(key=f"slots/{u}.parquet")
    assert "attrs" in artifact.features.slots
    assert artifact.features.slots["attrs"].features.first() == temp
    assert artifact.features.slots["attrs"].features.last() == exp
    plain = ln.Artifact.from_dataframe(pd.DataFrame({"x": [u]}), key=f"slots/plain_{u}.parquet").save()
    assert "attrs" not in plain.features.slots

    links = ln.models.SchemaComponent.filter(component=meta)
    assert links.count() == 1
    links.delete(permanent=True)
    assert not ln.models.SchemaComponent.filter(component=meta).exists()


def test_bulk_feature_delete_removes_unused_values(ln, unique):
    u = unique
    ln.Feature(name=f"bulk_temp_{u}", dtype=float).save()
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [1], "u": [u]}), key=f"bulk/{u}.parquet").save()
    artifact.features.add_values({f"bulk_temp_{u}": 1.5})
    with pytest.raises(ln.errors.InvalidArgument, match="remove them first"):
        ln.Feature.filter(name=f"bulk_temp_{u}").delete(permanent=True)
    artifact.delete(permanent=True)
    ln.Feature.filter(name=f"bulk_temp_{u}").delete(permanent=True)
    assert not ln.Feature.filter(name=f"bulk_temp_{u}").exists()
