"""Spaces on every registry that lives on a branch: ``space=``/``space_id=`` at construction, ``record.space``,
filters, the space ``all`` as the default (None), and a space in use that cannot be deleted."""

from __future__ import annotations

import pytest


def _make(ln, kind: str, unique: str, n: int, tmp_path, **where):
    """A new, unsaved record of ``kind`` with a unique name, constructed with ``where`` (branch/space kwargs)."""
    import lineagedb.bio as bt

    name = f"{unique}-{kind}-{n}"
    if kind == "Feature":
        return ln.Feature(name=name, dtype=str, **where)
    if kind == "Schema":
        feature = ln.Feature(name=f"{name}-member", dtype=int).save()
        return ln.Schema([feature], name=name, **where)
    if kind == "Transform":
        return ln.Transform(key=f"{name}.py", **where)
    if kind == "Run":
        return ln.Run(ln.Transform(key=f"{name}.py").save(), **where)
    if kind == "Collection":
        path = tmp_path / f"{name}.txt"
        path.write_text(f"member of {name}")
        return ln.Collection([ln.Artifact(path, key=f"{name}.txt").save()], key=name, **where)
    if kind == "Organism":
        return bt.Organism(name=name, scientific_name=f"{name} sci", **where)
    return getattr(ln, kind)(name=name, **where)


KINDS = ["Record", "ULabel", "Feature", "Transform", "Schema", "Project", "Reference", "Run", "Collection", "Organism"]


@pytest.mark.parametrize("kind", KINDS)
def test_registries_take_a_branch_and_a_space_as_records_or_ids(ln, unique, kind, tmp_path):
    branch = ln.Branch(name=f"{unique}-branch").save()
    space = ln.Space(name=f"{unique}-space").save()
    by_record = _make(ln, kind, unique, 1, tmp_path, branch=branch, space=space).save()
    by_id = _make(ln, kind, unique, 2, tmp_path, branch_id=branch.id, space_id=space.id).save()
    model = type(by_record)
    for record in (by_record, by_id):
        stored = model.filter(branch=branch.id).get(pk=record.pk)
        assert (stored.branch_id, stored.space_id) == (branch.id, space.id)
        assert stored.space == space
    assert set(model.filter(space=space, branch=branch.id).values_list("pk", flat=True)) == {by_record.pk, by_id.pk}
    assert model.filter(space__name=f"{unique}-space", branch=branch.id).count() == 2


def test_records_are_in_the_space_all_unless_given_one(ln, unique):
    record = ln.Record(name=f"{unique}-plain").save()
    assert record.space_id is None and record.space is None  # None: the space "all"
    assert ln.Record.filter(name=f"{unique}-plain", space__isnull=True).count() == 1
    other = ln.Space(name=f"{unique}-space").save()
    record.space = other
    record.save()
    assert ln.Record.get(name=f"{unique}-plain").space_id == other.id
    assert ln.Record.filter(name=f"{unique}-plain", space__isnull=True).count() == 0


def test_a_record_in_a_space_shows_it_in_its_views(ln, unique):
    space = ln.Space(name=f"{unique}-space").save()
    record = ln.ULabel(name=f"{unique}-label", space=space).save()
    assert f"space: {space.name}" in record.describe(return_str=True)
    assert f"space_id={space.id}" in repr(record)
    assert ln.ULabel.filter(space=space).to_dataframe()["space_id"].tolist() == [space.id]
    frame = ln.ULabel.filter(space=space).to_dataframe(include=["space__name"])
    assert frame["space__name"].tolist() == [f"{unique}-space"]


def test_a_space_holding_records_cannot_be_deleted(ln, unique):
    space = ln.Space(name=f"{unique}-space").save()
    record = ln.Record(name=f"{unique}-held", space=space).save()
    with pytest.raises(ln.errors.InvalidArgument, match=rf"Space '{unique}-space' still holds records \(Record\)"):
        space.delete()
    record.delete(permanent=True)
    space.delete()
    assert not ln.Space.filter(name=f"{unique}-space").exists()


def test_a_sheet_export_is_in_the_sheet_space(ln, unique):
    space = ln.Space(name=f"{unique}-space").save()
    sheet = ln.Record(name=f"{unique}-sheet", is_type=True, space=space).save()
    ln.Record(name=f"{unique}-row", type=sheet).save()
    artifact = sheet.to_artifact()
    assert artifact.space_id == artifact.run.space_id == space.id
    assert ln.Artifact.filter(space=space).get().uid == artifact.uid


def test_describe_names_related_records_instead_of_their_ids(ln, unique):
    kind = ln.Record(name=f"{unique}-kind", is_type=True).save()
    record = ln.Record(name=f"{unique}-member", type=kind).save()
    text = record.describe(return_str=True)
    assert f"type: {unique}-kind" in text
    assert f"created_by: {record.created_by.handle}" in text
    assert f"type: {kind.id}\n" not in text
