"""QuerySet and registry methods shared by every registry: to_list, field objects, validate/inspect/standardize."""

import pytest


@pytest.fixture
def labels(ln, unique):
    kind = ln.Record(name=f"{unique}-kind", is_type=True).save()
    made = [ln.Record(name=f"{unique} label {i}", type=kind).save() for i in range(3)]
    return kind, made


def test_to_list_and_field_objects(ln, labels):
    kind, made = labels
    qs = ln.Record.filter(type=kind).order_by("id")
    assert qs.to_list() == made
    assert qs.to_list(ln.Record.name) == [r.name for r in made]
    assert qs.list("name") == qs.to_list("name")
    parent = made[0]
    parent.parents.set(made[1:])
    assert sorted(parent.parents.to_list("name")) == [r.name for r in made[1:]]  # related managers too


def test_search_and_lookup_take_a_field_object(ln, labels):
    kind, made = labels
    qs = ln.Record.filter(type=kind)
    assert qs.search(made[1].name, field=ln.Record.name)[0] == made[1]
    assert qs.search(made[1].name, field=["name", "description"])[0] == made[1]
    assert qs.lookup(field=ln.Record.name)[made[2].name] == made[2]
    with pytest.raises(ValueError, match="Cannot search for None"):
        ln.Record.search(None)


def test_validate_inspect_standardize_on_any_registry(ln, labels):
    kind, made = labels
    qs = ln.Record.filter(type=kind)
    assert qs.validate([made[0].name, "nope"]).tolist() == [True, False]
    assert ln.Record.validate(made[0].name, ln.Record.name) is True
    result = qs.inspect([made[0].name, "nope"], "name", show=False)
    assert result["validated"] == [made[0].name] and result.non_validated == ["nope"]
    assert qs.standardize([made[0].name.upper(), "nope"]) == [made[0].name, "nope"]
    assert ln.User.validate(["no-such-user"], ln.User.handle).tolist() == [False]


def test_unknown_field_and_relation_compared_with_a_string(ln):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="Unknown field 'nonexistent'. Available fields:"):
        ln.User.filter(nonexistent="x")
    with pytest.raises(ln.errors.InvalidArgument, match="by feature names"):
        ln.Artifact.filter(nonexistent="x")
    with pytest.raises(ln.errors.InvalidLookup, match="Did you mean records__name"):
        ln.Artifact.filter(records="somelabel")
    with pytest.raises(ln.errors.DoesNotExist, match=r"Did you forget a keyword as in Record.get\(name='zzz-none'\)"):
        ln.Record.get("zzz-none")


def test_describe_returns_text(ln, labels):
    kind, _ = labels
    assert ln.Record.describe(return_str=True).startswith("Record\n  Simple fields")
    text = ln.Record.filter(type=kind).describe(return_str=True)
    assert text.startswith("Record\n  Simple fields") and "Records (3)" in text


def test_dir_of_a_registry_lists_the_class_api_only(ln, labels):
    names = dir(ln.Feature)
    assert {"filter", "get", "search", "from_dataframe", "describe", "name", "objects", "DoesNotExist"} <= set(names)
    assert not {"save", "delete", "restore", "refresh_from_db", "get_next_by_created_at"} & set(names)
    assert "__init__" in names  # dunders stay, for introspection tools
    record = labels[1][0]
    assert {"save", "delete", "restore", "filter"} <= set(dir(record))  # an instance lists everything
    assert callable(ln.Feature.save)  # still reachable on the class


def test_registry_listing_names_django_types_and_related_registries(ln):
    text = ln.Artifact.describe(return_str=True)
    assert text == repr(ln.Artifact)
    simple, rest = text.split("\n  Relational fields\n")
    relational, bio = rest.split("\n  Bio fields\n")
    assert "    .uid: CharField" in simple.splitlines() and "    .size: BigIntegerField" in simple.splitlines()
    assert "    .run: Run" in relational.splitlines() and "    .ulabels: ULabel" in relational.splitlines()
    assert relational.index(".run: Run") < relational.index(".input_of_runs: Run")  # declared before reverse
    assert "    .cell_types: bio.CellType" in bio.splitlines()
