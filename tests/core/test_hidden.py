def test_internal_artifacts_stay_out_of_listings(ln, tmp_path, unique):
    from lineagedb.models._lineage_kind import INTERNAL_KIND

    p = tmp_path / f"{unique}.txt"
    p.write_text(unique)
    a = ln.Artifact(str(p), key=f"internal/{unique}.txt", kind=INTERNAL_KIND).save()
    assert ln.Artifact.filter(key=a.key).count() == 0
    assert a.uid not in set(ln.Artifact.to_dataframe(limit=None)["uid"])
    assert ln.Artifact.filter(key=a.key, kind=INTERNAL_KIND).count() == 1
    assert ln.Artifact.get(a.uid) == a
