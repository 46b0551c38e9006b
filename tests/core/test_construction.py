"""Positional construction arguments: each registry names the fields it accepts positionally."""

import pytest


def test_run_takes_its_transform_positionally(ln, unique):
    transform = ln.Transform(key=f"{unique}-pipeline").save()
    run = ln.Run(transform, name="first").save()
    assert run.transform_id == transform.id
    assert ln.Run.get(run.uid).name == "first"  # loading from the database still works


def test_schema_takes_its_features_positionally(ln, unique):
    feature = ln.Feature(name=f"{unique}_score", dtype=float).save()
    schema = ln.Schema([feature], name=f"{unique}-schema").save()
    assert list(schema.members) == [feature]


def test_storage_takes_its_root_positionally(ln, tmp_path):
    storage = ln.Storage(tmp_path.as_posix(), type="local").save()
    assert ln.Storage.get(root=tmp_path.as_posix()).id == storage.id


def test_undeclared_positional_argument_is_refused(ln):
    with pytest.raises(ln.errors.FieldValidationError, match=r"Use keyword arguments .* User\(name='...'\)"):
        ln.User("an arg")
    with pytest.raises(ValueError, match="keyword"):
        ln.Feature("x")
    with pytest.raises(ln.errors.InvalidArgument, match="Only one non-keyword arg allowed: transform"):
        ln.Run(1, 2)


def test_positional_and_keyword_for_the_same_field_is_refused(ln, unique):
    transform = ln.Transform(key=f"{unique}-twice").save()
    with pytest.raises(ln.errors.InvalidArgument, match="both positionally and as a keyword"):
        ln.Run(transform, transform=transform)
