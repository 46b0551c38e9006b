"""version_tag: LaminDB 2's name of the version a user gives, on every versioned registry."""

from __future__ import annotations


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
