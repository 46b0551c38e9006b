from pathlib import Path


def test_queryset_delete_trashes_then_removes_bytes(ln, tmp_path, unique):
    paths = []
    for i in range(3):
        p = tmp_path / f"{unique}-{i}.txt"
        p.write_text(f"{unique} {i}")
        paths.append(p)
    artifacts = [ln.Artifact(str(p), key=f"bulk-{unique}/{p.name}").save() for p in paths]
    stored = [Path(str(a.path)) for a in artifacts]
    assert all(s.exists() for s in stored)
    ln.Artifact.filter(key__startswith=f"bulk-{unique}/").delete()
    assert ln.Artifact.filter(key__startswith=f"bulk-{unique}/").count() == 0
    assert ln.Artifact.filter(key__startswith=f"bulk-{unique}/", branch=-1).count() == 3
    assert all(s.exists() for s in stored)  # trash keeps the bytes
    ln.Artifact.filter(key__startswith=f"bulk-{unique}/", branch=-1).delete(permanent=True)
    assert ln.Artifact.filter(key__startswith=f"bulk-{unique}/", branch=-1).count() == 0
    assert not any(s.exists() for s in stored)
