"""Records and labels: types, hierarchy, one shared link mechanism for Record and the bio registries."""

from __future__ import annotations

import pytest
from annotation_helpers import make_artifact


def test_record_types_hierarchy_and_unique_names(ln, unique):
    experiment = ln.Record(name=f"Experiment{unique}", is_type=True).save()
    e1 = ln.Record(name=f"exp1_{unique}", type=experiment).save()
    same_name_other_type = ln.Record(name=f"exp1_{unique}").save()
    assert same_name_other_type.id != e1.id
    assert ln.Record(name=f"exp1_{unique}", type=experiment).save().id == e1.id  # existing record returned
    assert list(experiment.records.all()) == [e1]
    parent = ln.Record(name=f"parent_{unique}").save()
    e1.parents.add(parent)
    assert list(parent.children.all()) == [e1]
    with pytest.raises(ln.errors.ValidationError, match="is_type=True"):
        ln.Record(name=f"bad_{unique}", type=parent)


def test_records_add_remove_all_and_filter(ln, unique):
    artifact = make_artifact(ln)
    other = make_artifact(ln)
    r1 = ln.Record(name=f"label1_{unique}").save()
    r2 = ln.Record(name=f"label2_{unique}").save()
    artifact.records.add(r1, r2)
    other.records.add(r2)
    assert set(artifact.records.all()) == {r1, r2}
    assert list(ln.Artifact.filter(records=r1)) == [artifact]
    assert set(ln.Artifact.filter(records__name=r2.name)) == {artifact, other}
    artifact.records.remove(r2)
    assert list(artifact.records.all()) == [r1]
    assert list(ln.Artifact.filter(records=r1).to_dataframe().key) == [artifact.key]


def test_bio_labels_share_the_mechanism(ln, unique):
    import lineagedb.bio as bt

    artifact = make_artifact(ln)
    ct = bt.CellType(name=f"cell {unique}", ontology_id=f"CL:{unique}").save()
    artifact.cell_types.add(ct)
    assert list(artifact.cell_types.all()) == [ct]
    assert list(ln.Artifact.filter(cell_types=ct)) == [artifact]
    assert list(ln.Artifact.filter(cell_types__name=ct.name)) == [artifact]


def test_links_carry_the_feature(ln, unique):
    from lineagedb.models import ArtifactRecord

    artifact = make_artifact(ln)
    dmso = ln.Record(name=f"DMSO_{unique}").save()
    perturbation = ln.Feature(name=f"perturbation_{unique}", dtype=ln.Record).save()
    artifact.records.add(dmso, feature=perturbation)
    link = ArtifactRecord.objects.get(artifact=artifact, record=dmso)
    assert link.feature_id == perturbation.id
    assert artifact.features.get_values() == {perturbation.name: dmso.name}
    # a second feature with the same label: listed once in .all(), grouped by feature in get_values
    second = ln.Feature(name=f"control_{unique}", dtype=ln.Record).save()
    artifact.records.add(dmso, feature=second.name)
    assert list(artifact.records.all()) == [dmso]
    assert artifact.features.get_values() == {perturbation.name: dmso.name, second.name: dmso.name}
    artifact.records.remove(dmso, feature=perturbation)
    assert artifact.features.get_values() == {second.name: dmso.name}
    assert list(artifact.records.all()) == [dmso]
    artifact.records.remove(dmso)
    assert list(artifact.records.all()) == []


def test_plain_link_gets_the_feature_without_duplicates(ln, unique):
    artifact = make_artifact(ln)
    rec = ln.Record(name=f"exp_{unique}").save()
    feat = ln.Feature(name=f"experiment_{unique}", dtype=ln.Record).save()
    artifact.records.add(rec)
    artifact.features.add_values({feat.name: rec.name})
    assert ln.Artifact.filter(records=rec).count() == 1
    assert artifact.features.get_values() == {feat.name: rec.name}


def test_label_errors(ln, unique):
    artifact = make_artifact(ln)
    unsaved = ln.Record(name=f"unsaved_{unique}")
    with pytest.raises(ln.errors.InvalidArgument, match="no feature named"):
        artifact.records.add(ln.Record(name=f"x_{unique}").save(), feature=f"nofeature_{unique}")
    with pytest.raises(ln.errors.InvalidArgument, match="save the label"):
        artifact.records.add(unsaved, feature=ln.Feature(name=f"f_{unique}", dtype=ln.Record).save())


def test_plain_record_construction_matches_django(ln, unique):
    from django.db.models import Model

    fast = ln.Record(name=f"fast {unique}", description="d")
    slow = ln.Record.__new__(ln.Record)
    Model.__init__(slow, name=f"fast {unique}", description="d")
    strip = lambda r: {k: v for k, v in r.__dict__.items() if k not in {"_state", "uid"}}  # noqa: E731
    assert strip(fast) == strip(slow) and fast._state.adding and len(fast.uid) == 16
    assert fast.save().id is not None and ln.Record.get(name=f"fast {unique}").description == "d"
