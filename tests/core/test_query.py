"""The query layer shared by every registry."""

import pytest
from django.db.models import Q


@pytest.fixture
def users(ln, unique):
    from lineagedb.models import User

    made = [User(handle=f"{unique}-{name}", name=name).save() for name in ("ada", "alan", "grace")]
    return unique, made


def test_filter_lookups(ln, users):
    prefix, made = users
    assert ln.User.filter(handle__startswith=prefix).count() == 3
    assert ln.User.filter(handle__startswith=prefix, name__in=["ada", "grace"]).count() == 2
    assert ln.User.filter(Q(name="ada") | Q(name="alan"), handle__startswith=prefix).count() == 2
    assert ln.User.filter(handle__startswith=prefix).exclude(name="ada").count() == 2
    assert ln.User.filter(handle__startswith=prefix, id__gt=made[0].id).count() == 2
    assert ln.User.filter(handle__startswith=prefix, name__icontains="AL").one().name == "alan"
    names = ln.User.filter(handle__startswith=prefix).order_by("-name").list("name")
    assert names == ["grace", "alan", "ada"]
    assert ln.User.filter(handle__startswith=prefix).first() is not None


def test_lookups_across_relations(ln, users):
    prefix, made = users
    storage = ln.Storage.register_root(f"/tmp/{prefix}-root")
    storage.created_by = made[1]
    storage.save()
    hits = ln.Storage.filter(created_by__name__icontains="ala", root__contains=prefix)
    assert [s.root for s in hits] == [storage.root]


def test_get_by_uid_prefix_and_fields(ln, users):
    prefix, made = users
    ada = made[0]
    assert ln.User.get(ada.uid).id == ada.id
    assert ln.User.get(handle=f"{prefix}-ada") == ada
    assert ln.User.get(ada.uid[:6]).id == ada.id  # a prefix suffices when it is unique


def test_errors_support_both_catch_styles(ln, users):
    prefix, _ = users
    with pytest.raises(ln.errors.DoesNotExist, match="no User matches"):
        ln.User.get(handle=f"{prefix}-nobody")
    with pytest.raises(ln.User.DoesNotExist):
        ln.User.get(handle=f"{prefix}-nobody")
    with pytest.raises(ln.errors.MultipleResultsFound):
        ln.User.get(handle__startswith=prefix)
    with pytest.raises(ln.User.MultipleObjectsReturned):
        ln.User.filter(handle__startswith=prefix).one()
    with pytest.raises(ln.errors.MultipleResultsFound):
        ln.User.filter(handle__startswith=prefix).one_or_none()
    assert ln.User.filter(handle=f"{prefix}-nobody").one_or_none() is None
    with pytest.raises(ln.errors.DoesNotExist):
        ln.User.filter(handle=f"{prefix}-nobody").one()


def test_unknown_field_lists_valid_ones(ln):
    with pytest.raises(ln.errors.InvalidArgument, match=r"Unknown field 'colour'. Available fields: .*handle.*User has no field 'colour'"):
        ln.User.filter(colour="red")
    with pytest.raises(ln.errors.InvalidArgument):
        ln.Storage.filter(nosuchfield__startswith="x")
    with pytest.raises(ln.errors.InvalidLookup, match="only possible for artifacts"):
        ln.User.get(path="some/path")


def test_feature_predicate_on_a_registry_without_features(ln, unique):
    from django.core.exceptions import FieldError

    feature = ln.Feature(name=f"{unique}_on_user", dtype=str).save()
    with pytest.raises(FieldError, match="only supported for Artifact, Run, and Record, not User"):
        ln.User.filter(feature == "hello")


def test_to_dataframe_columns_and_include(ln, users):
    prefix, made = users
    df = ln.User.filter(handle__startswith=prefix).order_by("name").to_dataframe()
    assert list(df["uid"]) == [u.uid for u in made] and list(df.index) == [u.id for u in made]
    assert {"handle", "name", "created_at"} <= set(df.columns)
    storage = ln.Storage.register_root(f"/tmp/{prefix}-inc")
    df = ln.Storage.filter(root=storage.root).to_dataframe(include=["created_by__handle"])
    assert df["created_by__handle"].iloc[0] == storage.created_by.handle
    assert len(ln.User.filter(handle__startswith=prefix).to_dataframe(limit=2)) == 2
    # class-level shortcut
    assert "handle" in ln.User.to_dataframe().columns


def test_repr_and_registry_description(ln, users):
    _, made = users
    text = repr(made[0])
    assert text.startswith("User(") and made[0].uid in text and "\n" not in text
    assert "handle" in repr(ln.User)
    assert ".created_by: User" in repr(ln.Artifact)


def test_view_prints_latest_records(ln, users, capsys):
    ln.view()
    out = capsys.readouterr().out
    assert "User" in out and users[1][2].handle in out


def test_to_dataframe_datetimes_are_utc_timestamps(ln, users):
    prefix, made = users
    df = ln.User.filter(handle__startswith=prefix).order_by("id").to_dataframe()
    assert str(df["created_at"].dtype) == "datetime64[ns, UTC]"
    assert [t.to_pydatetime() for t in df["created_at"]] == [u.created_at for u in made]


def test_record_describe_shows_its_feature_values(ln, unique):
    record = ln.Record(name=f"{unique}-described").save()
    feature = ln.Feature(name=f"{unique}_metric", dtype=float).save()
    record.features.set_values({feature.name: 1.23})
    text = record.describe(return_str=True)
    assert "Features" in text and f"{unique}_metric" in text and "1.23" in text
    assert f"name: {unique}-described" in text  # the plain fields stay
