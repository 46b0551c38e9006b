"""ULabel, Project and Reference: label registries with types, parents, trash and artifact links like Record."""

from __future__ import annotations

import pytest
from annotation_helpers import make_artifact


@pytest.mark.parametrize("registry", ["Record", "ULabel", "Project", "Reference"])
def test_type_must_be_a_type_record_of_the_same_registry(ln, unique, registry):
    model = getattr(ln, registry)
    plain = model(name=f"plain_{unique}").save()
    with pytest.raises(ln.errors.ValidationError, match=f"only assign a {registry.lower()} with `is_type=True`"):
        model(name=f"bad_{unique}", type=plain).save()
    kind = model(name=f"kind_{unique}", is_type=True).save()
    member = model(name=f"member_{unique}", type=kind).save()
    assert member.type == kind
    assert model(name=f"member_{unique}", type=kind).save().id == member.id  # the stored record is returned


@pytest.mark.parametrize("registry", ["Record", "ULabel", "Project"])
def test_sub_types_super_types_and_trash_cascade(ln, unique, registry):
    model = getattr(ln, registry)
    query = f"query_{registry.lower()}s"
    t1 = model(name=f"T1_{unique}", is_type=True).save()
    t2 = model(name=f"T2_{unique}", is_type=True, type=t1).save()
    t3 = model(name=f"T3_{unique}", is_type=True, type=t2).save()
    i1 = model(name=f"i1_{unique}", type=t1).save()
    model(name=f"i2_{unique}", type=t3).save()
    i3 = model(name=f"i3_{unique}", type=t3).save()
    assert getattr(t1, f"{registry.lower()}s").count() == 2
    assert getattr(t1, query)().count() == 5
    assert i3.query_types() == [t3, t2, t1]
    t2.delete()  # to the trash, with everything typed under it
    assert list(getattr(t1, query)()) == [i1]
    assert model.get(id=i3.id).branch_id == -1
    t2.restore()
    assert getattr(t1, query)().count() == 5


def test_type_cycles_are_refused(ln, unique):
    a = ln.ULabel(name=f"A_{unique}", is_type=True).save()
    b = ln.ULabel(name=f"B_{unique}", is_type=True, type=a).save()
    a.type = b
    with pytest.raises(ln.errors.ValidationError, match="cycle"):
        a.save()


def test_permanent_delete_and_type_in_use(ln, unique):
    kind = ln.Project(name=f"Screens_{unique}", is_type=True).save()
    child = ln.Project(name=f"screen_{unique}", type=kind).save()
    with pytest.raises(ln.errors.InvalidArgument, match="is the type of other records"):
        kind.delete(permanent=True)
    child.delete(permanent=True)
    kind.delete(permanent=True)
    assert not ln.Project.filter(name__endswith=unique, branch_id=None).exists()


def test_parents_and_children_queries(ln, unique, capsys):
    l1, l2, l3 = (ln.Record(name=f"l{i}_{unique}").save() for i in (1, 2, 3))
    l1.children.add(l2)
    l2.children.add(l3)
    assert set(l3.query_parents()) == {l1, l2}
    assert set(l1.query_children()) == {l2, l3}
    text = l3.view_parents(ln.Record.name, distance=1)
    assert f"l2_{unique}" in text and f"l1_{unique}" not in text


def test_artifacts_link_ulabels_projects_references(ln, unique):
    artifact = make_artifact(ln)
    label = ln.ULabel(name=f"DMSO_{unique}").save()
    project = ln.Project(name=f"Screen_{unique}", abbr="S").save()
    ref = ln.Reference(name=f"Paper_{unique}", doi="10.1/x").save()
    artifact.ulabels.add(label)
    artifact.projects.add(project)
    artifact.references.add(ref)
    assert list(ln.Artifact.filter(ulabels=label)) == [artifact]
    assert list(ln.Artifact.filter(projects__name=project.name)) == [artifact]
    assert list(ref.artifacts.all()) == [artifact]
    assert ln.models.ArtifactULabel.objects.filter(artifact_id=artifact.id, ulabel_id=label.id).exists()
    assert project.status == "planned"
    project.records.add(ln.Record(name=f"r_{unique}").save())
    assert ln.Project.filter(records__name=f"r_{unique}").count() == 1


def test_bulk_save_returns_existing_ulabels(ln, unique):
    first = ln.ULabel(name=f"bulk_{unique}").save()
    labels = [ln.ULabel(name=f"bulk_{unique}"), ln.ULabel(name=f"bulk2_{unique}")]
    ln.save(labels)
    assert labels[0].id == first.id
    assert ln.ULabel.filter(name__startswith="bulk").filter(name__endswith=unique).count() == 2


def test_from_values_returns_stored_records(ln, unique):
    names = [f"fv{i}_{unique}" for i in range(25)]
    ln.save([ln.Record(name=n) for n in names])
    found = ln.Record.from_values([*names, names[0], f"new_{unique}"], field=ln.Record.name)
    assert [r.name for r in found] == names
    made = ln.ULabel.from_values([f"u_{unique}"], create=True)
    assert made[0]._state.adding and made[0].name == f"u_{unique}"
    with pytest.raises(ln.errors.InvalidArgument, match="field must be"):
        ln.Record.from_values(names, field=ln.Record)


def test_label_manager_adds_and_copies_labels(ln, unique):
    a, b = make_artifact(ln), make_artifact(ln)
    r = ln.Record(name=f"lm_{unique}").save()
    u = ln.ULabel(name=f"lm_{unique}").save()
    b.labels.add([])
    b.labels.add([r, u])
    a.labels.add_from(b)
    assert list(a.records.all()) == [r] and list(a.ulabels.all()) == [u]


def test_record_type_sheet_has_every_record(ln, unique):
    sheet = ln.Record(name=f"Sheet_{unique}", is_type=True).save()
    ln.save([ln.Record(name=f"s{i}_{unique}", type=sheet) for i in range(101)])
    df = sheet.to_dataframe()
    assert len(df) == 101 and df.index.name == "__lamindb_record_id__"
    assert list(df.columns) == ["__lamindb_record_uid__", "__lamindb_record_name__"]
    assert len(ln.Record.to_dataframe()) <= 100  # the registry view keeps its limit
    with pytest.raises(ln.errors.InvalidArgument, match="not a type"):
        ln.Record.get(name=f"s0_{unique}").to_dataframe()


def test_saving_a_trashed_uid_restores_it(ln, unique):
    record = ln.Record(name=f"trashed_{unique}").save()
    uid = record.uid
    record.delete()
    again = ln.Record(name=f"trashed2_{unique}")
    again.uid = uid
    again.save()
    assert again.id == record.id and again.branch_id == 1 and ln.Record.get(uid).name == f"trashed2_{unique}"


def test_link_tables_can_be_queried_like_registries(ln, unique):
    artifact = make_artifact(ln)
    label = ln.ULabel(name=f"link_{unique}").save()
    artifact.ulabels.add(label)
    assert ln.models.ArtifactULabel.filter(artifact_id=artifact.id, ulabel_id=label.id).exists()
    assert ln.models.ArtifactULabel.get(artifact_id=artifact.id).ulabel == label


@pytest.mark.parametrize("registry,extra", [("Record", {}), ("ULabel", {}), ("Feature", {"dtype": "str"}),
                                            ("Schema", {"itype": "Feature"})])
def test_a_type_must_be_a_type_record_in_every_typed_registry(ln, unique, registry, extra):
    model = getattr(ln, registry)
    kwargs = {**extra, "itype": ln.Feature} if registry == "Schema" else extra
    plain = model(name=f"plain_{registry}_{unique}", **kwargs).save()
    name = registry.lower()
    with pytest.raises(ln.errors.ValidationError,
                       match=f"You can only assign a {name} with `is_type=True` as `type` to another {name}"):
        model(name=f"typed_{registry}_{unique}", type=plain, **({**kwargs, "is_type": True} if registry == "Schema" else kwargs)).save()


@pytest.mark.parametrize("registry", ["Record", "ULabel"])
def test_a_reference_carries_its_type(ln, unique, registry):
    model = getattr(ln, registry)
    label = model(name=f"ref_{unique}", reference="https://example.org/x", reference_type="url").save()
    assert model.get(id=label.id).reference_type == "url"
    assert list(model.filter(reference_type="url", name=f"ref_{unique}")) == [label]
