"""Feature columns of ``to_dataframe``: features sharing a name, the deprecated ``features=True``, dict values
given as text."""

from __future__ import annotations

import warnings

import pytest
from annotation_helpers import make_artifact


@pytest.fixture
def shared_names(ln, unique):
    """Two feature types, each with a feature named ``dup_<unique>`` (text in one, a ULabel in the other) and one
    named ``txt_<unique>`` (text in both)."""
    type_a = ln.Feature(name=f"type_a_{unique}", is_type=True).save()
    type_b = ln.Feature(name=f"type_b_{unique}", is_type=True).save()
    return {
        "dup_text": ln.Feature(name=f"dup_{unique}", dtype=str, type=type_a).save(),
        "dup_label": ln.Feature(name=f"dup_{unique}", dtype=ln.ULabel, type=type_b).save(),
        "txt_a": ln.Feature(name=f"txt_{unique}", dtype=str, type=type_a).save(),
        "txt_b": ln.Feature(name=f"txt_{unique}", dtype=str, type=type_b).save(),
    }


def test_shared_name_shows_the_labels_else_the_oldest_feature(ln, unique, shared_names):
    label = ln.ULabel(name=f"label_{unique}").save()
    artifact = make_artifact(ln)
    artifact.features.add_values({shared_names["dup_label"]: label.name})
    artifact.features.add_values({shared_names["dup_text"]: "plain"})
    artifact.features.add_values({shared_names["txt_b"]: "second"})
    artifact.features.add_values({shared_names["txt_a"]: "first"})
    df = ln.Artifact.filter(id=artifact.id).to_dataframe(include="features")
    assert df[f"dup_{unique}"].iloc[0] == label.name
    assert df[f"txt_{unique}"].iloc[0] == "first"
    other = make_artifact(ln)
    other.features.add_values({shared_names["dup_text"]: "only text"})
    df = ln.Artifact.filter(id=other.id).to_dataframe(include="features")
    assert df[f"dup_{unique}"].iloc[0] == "only text"


def test_naming_a_shared_feature_name_is_ambiguous(ln, unique, shared_names):
    with pytest.raises(ln.errors.InvalidArgument, match=rf"Ambiguous feature names passed: 'dup_{unique}' \(2"):
        ln.Artifact.filter().to_dataframe(features=[f"dup_{unique}"])
    transform = ln.Transform(key=f"{unique}.py").save()
    run = ln.Run(transform).save()
    with pytest.raises(ValueError, match="Ambiguous"):
        ln.Run.filter(id=run.id).to_dataframe(features=[f"txt_{unique}"])


def test_features_true_is_deprecated(ln, unique):
    feature = ln.Feature(name=f"f_{unique}", dtype=str).save()
    artifact = make_artifact(ln)
    artifact.features.add_values({feature: "v"})
    with pytest.warns(DeprecationWarning, match='pass `include="features"` instead'):
        df = ln.Artifact.filter(id=artifact.id).to_dataframe(features=True)
    assert df[feature.name].iloc[0] == "v"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = ln.Artifact.filter(id=artifact.id).to_dataframe(include="features")
    assert df[feature.name].iloc[0] == "v"


def test_dict_feature_takes_its_text(ln, unique):
    feature = ln.Feature(name=f"d_{unique}", dtype=dict).save()
    transform = ln.Transform(key=f"{unique}.py").save()
    run = ln.Run(transform).save()
    run.features.set_values({feature: "{'external': True}"})
    assert run.features.get_values()[feature.name] == {"external": True}
    run.features.set_values({feature: '{"n": [1, 2]}'})
    assert ln.Run.filter(id=run.id).to_dataframe(include="features")[feature.name].iloc[0] == {"n": [1, 2]}
    for bad in ("[1, 2]", "{1, 2}", "not a dict", "{'b': b'x'}"):
        with pytest.raises(ln.errors.ValidationError, match="expects dtype 'dict'"):
            run.features.set_values({feature: bad})
