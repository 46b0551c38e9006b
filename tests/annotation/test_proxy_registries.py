"""Django proxy models of the registries behave like their registry: fields, labels, queryset deletes."""

from __future__ import annotations

import pytest

_PROXIES: list = []


@pytest.fixture
def proxies(ln):
    if not _PROXIES:  # a model class is registered with Django once per process

        class ProxyArtifact(ln.Artifact):
            class Meta:
                proxy = True
                app_label = "lineagedb_proxy_tests"

        class ProxyULabel(ln.ULabel):
            class Meta:
                proxy = True
                app_label = "lineagedb_proxy_tests"

        _PROXIES.extend([ProxyArtifact, ProxyULabel])
    return _PROXIES


def _artifact(ln, tmp_path, unique, name="a.txt"):
    source = tmp_path / name
    source.write_text(f"proxy {unique} {name}")
    return ln.Artifact(source, key=f"proxy/{unique}/{name}").save()


def test_proxy_reports_the_registry_fields_and_querysets(ln, proxies):
    ProxyArtifact, _ = proxies
    assert {"transform", "key", "run"} <= ProxyArtifact.__get_available_fields__()
    assert ProxyArtifact.__get_available_fields__() == ln.Artifact.__get_available_fields__()
    assert isinstance(ProxyArtifact.filter(), ln.models.ArtifactSet)


def test_proxy_label_links_to_a_proxy_artifact_under_its_feature(ln, unique, tmp_path, proxies):
    ProxyArtifact, ProxyULabel = proxies
    artifact = _artifact(ln, tmp_path, unique)
    feature = ln.Feature(name=f"proxy_ulabel_{unique}", dtype="cat[ULabel]").save()
    label = ProxyULabel(name=f"proxy-label-{unique}").save()
    ProxyArtifact.get(artifact.id).features.add_values({feature.name: label})
    assert ln.models.ArtifactULabel.filter(artifact_id=artifact.id, feature=feature, ulabel_id=label.id).exists()
    assert artifact.features.get_values() == {feature.name: label.name}
    artifact.features.remove_values(feature.name)
    assert not ln.models.ArtifactULabel.filter(artifact_id=artifact.id, ulabel_id=label.id).exists()


def test_proxy_queryset_delete_with_storage_removes_files(ln, unique, tmp_path, proxies):
    ProxyArtifact, _ = proxies
    artifact = _artifact(ln, tmp_path, unique, "gone.txt")
    path = artifact.path
    assert path.exists()
    ProxyArtifact.filter(uid=artifact.uid).delete(permanent=True, storage=True)
    assert not ln.Artifact.filter(uid=artifact.uid).exists()
    assert not path.exists()


def test_artifact_filter_by_transform_goes_through_its_run(ln, unique, tmp_path):
    transform = ln.Transform(key=f"proxy-alias-{unique}", kind="function").save()
    run = ln.Run(transform).save()
    source = tmp_path / "made.txt"
    source.write_text(f"made by {unique}")
    made = ln.Artifact(source, key=f"proxy/{unique}/made.txt", run=run).save()
    assert list(ln.Artifact.filter(transform=transform)) == [made]
    assert list(ln.Artifact.filter(transform__key=transform.key)) == [made]


def test_proxy_get_by_key_uid_id_gives_proxy_records(ln, unique, tmp_path, proxies):
    from django.db.models import Q

    ProxyArtifact, _ = proxies
    artifact = _artifact(ln, tmp_path, unique, "get.txt")
    for found in (ProxyArtifact.get(key=artifact.key), ProxyArtifact.get(uid=artifact.uid),
                  ProxyArtifact.get(id=artifact.id)):
        assert type(found) is ProxyArtifact and found.uid == artifact.uid
    assert ProxyArtifact.get(Q(key=artifact.key)).uid == artifact.uid  # the general path agrees
    artifact.delete()
    with pytest.raises(ProxyArtifact.DoesNotExist, match=f"no ProxyArtifact matches key='{artifact.key}'"):
        ProxyArtifact.get(key=artifact.key)
    assert type(ProxyArtifact.get(uid=artifact.uid)) is ProxyArtifact


_PROXY_RECORD: list = []


def test_bulk_save_takes_proxy_records_with_their_registry(ln, unique):
    if not _PROXY_RECORD:

        class ProxyRecord(ln.Record):
            class Meta:
                proxy = True
                app_label = "lineagedb_proxy_tests"

        _PROXY_RECORD.append(ProxyRecord)
    ProxyRecord = _PROXY_RECORD[0]
    score = ln.Feature(name=f"score_{unique}", dtype=float).save()
    good = ln.Record(name=f"{unique}-good", features={score: 1.0})
    bad = ProxyRecord(name=f"{unique}-bad", features={score: "not a number"})
    with pytest.raises(ln.errors.ValidationError, match=f"score_{unique}"):
        ln.save([good, bad])  # one batch, one transaction: nothing is kept
    assert not ln.Record.filter(name__startswith=f"{unique}-").exists()
    records = ln.save([ln.Record(name=f"{unique}-a", features={score: 1.0}), ProxyRecord(name=f"{unique}-b")])
    assert [type(r).__name__ for r in records] == ["Record", "ProxyRecord"]
    assert ln.Record.filter(name__startswith=f"{unique}-").count() == 2
    assert ln.Record.get(name=f"{unique}-a").features.get_values() == {score.name: 1.0}
