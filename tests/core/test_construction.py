"""Positional construction arguments: each registry names the fields it accepts positionally."""

import pytest
from ldb_testing import BACKEND


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
    with pytest.raises(ln.errors.FieldValidationError, match="Only one non-keyword arg allowed: transform"):
        ln.Run(1, 2)


def test_positional_and_keyword_for_the_same_field_is_refused(ln, unique):
    transform = ln.Transform(key=f"{unique}-twice").save()
    with pytest.raises(ln.errors.InvalidArgument, match="both positionally and as a keyword"):
        ln.Run(transform, transform=transform)


def test_declared_choices_are_checked(ln):
    with pytest.raises(ln.errors.FieldValidationError, match="Transform.kind must be one of"):
        ln.Transform(key="choice-check", kind="invalid")


def test_field_attributes_name_their_registry(ln):
    assert repr(ln.Feature.name) == "FieldAttr(Feature.name)"
    assert ln.Record.filter(name="no-such-name-xyz").to_list(ln.Record.name) == []


def test_storage_root_is_normalized_and_saved_once(ln, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    first = ln.Storage(root="data").save()
    assert first.root == (tmp_path / "data").as_posix() and first.type == "local"
    again = ln.Storage(root=str(tmp_path / "data")).save()  # the same location: the saved record
    assert again.id == first.id
    first.delete()


def test_storage_records_the_host_of_a_local_location(ln, tmp_path):
    local = ln.Storage(root=(tmp_path / "on-host").as_posix(), host="lab-server-1").save()
    assert ln.Storage.get(root=local.root).host == "lab-server-1"
    assert ln.Storage(root="s3://some-bucket/host-check").host is None
    local.delete()


def test_many_to_many_of_an_unsaved_record_says_save_first(ln, unique):
    record = ln.Record(name=f"{unique}-unsaved")
    with pytest.raises(ValueError, match=r"unsaved Record object. Please save it first using '.save\(\)'"):
        record.parents.add(ln.Record(name=f"{unique}-p").save())
    with pytest.raises(ln.errors.InvalidArgument, match="unsaved Record"):
        record.children.count()


@pytest.mark.parametrize("key", ["..", "./a", "a/../b", "/../a", "a\\b"])
def test_path_keys_refuse_dot_segments_and_backslashes(ln, key):
    with pytest.raises(ValueError, match="invalid key"):
        ln.Transform(key=key)


def test_unknown_keyword_names_the_valid_ones(ln):
    with pytest.raises(ln.errors.FieldValidationError, match=r"Only .*name.* are valid keyword arguments; Record\(\) got 'nmae'"):
        ln.Record(nmae="typo")
    with pytest.raises(ValueError, match="valid keyword arguments; User"):
        ln.User(handle="x", colour="red")


def test_unknown_keyword_lists_the_constructor_keywords_too(ln):
    with pytest.raises(ln.errors.FieldValidationError, match=r"schema, .*features are valid keyword arguments"):
        ln.Record(name="x", colour="red")
    with pytest.raises(ln.errors.FieldValidationError, match=r"revises, version_tag are valid keyword arguments"):
        ln.Transform(key="x", colour="red")


def test_label_accessors_of_an_unsaved_artifact_say_save_first(ln, tmp_path, unique):
    path = tmp_path / f"{unique}.txt"
    path.write_text(unique)
    artifact = ln.Artifact(str(path), key=f"{unique}/unsaved.txt")
    with pytest.raises(ValueError, match="unsaved Artifact object. Please save it first"):
        artifact.records.add(ln.Record(name=f"{unique}-label").save())


def test_required_text_fields_are_checked_at_construction(ln, unique):
    with pytest.raises(ln.errors.FieldValidationError, match=r"ULabel\(\) requires name"):
        ln.ULabel()
    with pytest.raises(ln.errors.FieldValidationError, match="requires name"):
        ln.ULabel(description="no name")
    label = ln.ULabel(name=f"{unique}-named").save()  # a given name passes, and loading still works
    assert ln.ULabel.get(name=f"{unique}-named").id == label.id


def test_field_validators_run_at_construction(ln, unique):
    with pytest.raises(ln.errors.FieldValidationError, match="Reference.doi got 'not-a-doi'"):
        ln.Reference(name=f"{unique}-bad-doi", doi="not-a-doi")
    with pytest.raises(ln.errors.FieldValidationError, match="Reference.url got 'not a url'"):
        ln.Reference(name=f"{unique}-bad-url", url="not a url")
    ref = ln.Reference(name=f"{unique}-ok", doi="10.1016/j.cell.2021.04.048", url="https://example.org/p").save()
    assert ln.Reference.get(ref.uid).doi == "10.1016/j.cell.2021.04.048"


def test_unsaved_artifact_delete_does_nothing(ln, tmp_path):
    path = tmp_path / "unsaved.txt"
    path.write_text("never saved")
    artifact = ln.Artifact(path, description="unsaved")
    assert artifact.delete(permanent=True) is None
    assert artifact.delete() is None


def test_a_registry_may_declare_its_required_fields(ln, unique):
    sheet = ln.Record(name=f"{unique}-sheet", is_type=True).save()
    row = ln.Record(type=sheet)  # Record declares no required field: a sheet row may be nameless
    assert row.type == sheet


def test_a_relation_and_its_id_together_are_refused(ln, unique):
    space = ln.Space.get(name="all")
    with pytest.raises(ln.errors.InvalidArgument, match="Do not pass both Space and its id"):
        ln.Record(name=f"{unique}-both", space=space, space_id=space.id)
    transform = ln.Transform(key=f"{unique}.py").save()
    with pytest.raises(ValueError, match="Do not pass both Transform and its id: Run"):
        ln.Run(transform=transform, transform_id=transform.id)
    assert ln.Run(transform_id=transform.id).transform == transform  # either one alone is fine


@pytest.mark.skipif(BACKEND != "postgresql", reason="row-level security is a PostgreSQL feature")
def test_a_row_refused_by_row_level_security_is_no_write_access(ln, unique):
    """A table whose policy admits no new rows for the current role: saving says so by class and message."""
    from django.db import connection

    role = f"ldb_rls_{unique}"
    table = ln.ULabel._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f'CREATE ROLE "{role}"')
        cur.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cur.execute(f'GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO "{role}"')
        cur.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        cur.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        cur.execute(f'CREATE POLICY "{role}_read" ON "{table}" FOR SELECT USING (true)')
    try:
        with connection.cursor() as cur:
            cur.execute(f'SET ROLE "{role}"')
        with pytest.raises(ln.errors.NoWriteAccess, match="not allowed to write to this space.*ULabel"):
            ln.ULabel(name=f"{unique}-rls").save()
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET ROLE")
            cur.execute(f'DROP POLICY "{role}_read" ON "{table}"')
            cur.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
            cur.execute(f'DROP OWNED BY "{role}"')
            cur.execute(f'DROP ROLE "{role}"')
    assert ln.ULabel(name=f"{unique}-rls").save().id is not None
