"""Schemas: definitions are normalised, hashed and deduplicated; composites keep their slots; describe()."""

from __future__ import annotations

import pytest


@pytest.fixture
def feats(ln, unique):
    a = ln.Feature(name=f"a_{unique}", dtype=float).save()
    b = ln.Feature(name=f"b_{unique}", dtype=str, nullable=True).save()
    c = ln.Feature(name=f"c_{unique}", dtype=ln.Record).save()
    return a, b, c


def test_same_definition_is_the_same_schema(ln, feats):
    a, b, c = feats
    s1 = ln.Schema(features=[a, b.with_config(optional=True)], name="first").save()
    s2 = ln.Schema(features=[b.with_config(optional=True), a]).save()
    assert s2.pk == s1.pk and s2.uid == s1.uid
    assert s1.itype == "Feature" and s1.n == 2 and s1.flexible is False
    s3 = ln.Schema(features=[a, b]).save()  # b required now: another definition
    assert s3.pk != s1.pk
    ordered = ln.Schema(features=[a, b, c], ordered_set=True).save()
    reordered = ln.Schema(features=[c, b, a], ordered_set=True).save()
    assert ordered.pk != reordered.pk
    assert [f.name for f, _ in ordered.feature_links()] == [a.name, b.name, c.name]
    assert [(f.name, opt) for f, opt in s1.feature_links()] == [(a.name, False), (b.name, True)]
    assert list(s1.members.values_list("name", flat=True)) == [a.name, b.name]


def test_itype_only_schema_is_flexible_and_unique(ln):
    s1 = ln.Schema(itype=ln.Feature).save()
    s2 = ln.Schema(itype="Feature").save()
    assert s1.pk == s2.pk and s1.flexible and s1.itype == "Feature" and s1.n is None


def test_registry_field_itype_and_dtype(ln):
    import lineagedb.bio as bt

    s = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()
    assert s.itype == "bio.Gene.ensembl_gene_id" and s.dtype == "int"
    assert ln.Schema(itype="bt.Gene.ensembl_gene_id", dtype="int").save().pk == s.pk
    assert ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=float).save().pk != s.pk


def test_composite_schema_slots(ln, feats, unique):
    import lineagedb.bio as bt

    a, b, _ = feats
    obs = ln.Schema(features=[a, b]).save()
    var = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()
    comp = ln.Schema(otype="AnnData", slots={"obs": obs, "var.T": var}, name=f"comp_{unique}").save()
    again = ln.Schema(otype="AnnData", slots={"var.T": var, "obs": obs}).save()
    assert again.pk == comp.pk
    fetched = ln.Schema.get(comp.uid)
    assert {k: v.pk for k, v in fetched.slots.items()} == {"obs": obs.pk, "var.T": var.pk}
    text = fetched.describe(return_str=True)
    assert "slots" in text and "var.T" in text and "obs" in text and a.name in text and "bio.Gene.ensembl_gene_id" in text


def test_index_feature_changes_the_hash(ln, feats):
    a, b, _ = feats
    plain = ln.Schema(features=[a]).save()
    indexed = ln.Schema(features=[a], index=b).save()
    assert indexed.pk != plain.pk and indexed.index == b
    assert f"index: {b.name}" in indexed.describe(return_str=True)


def test_describe_lists_features_with_dtypes_and_flags(ln, feats):
    a, b, c = feats
    s = ln.Schema(features=[a, b.with_config(optional=True), c], maximal_set=True, coerce=True).save()
    text = s.describe(return_str=True)
    assert "float" in text and "cat[Record]" in text and "optional" in text
    assert "maximal_set" in text and "coerce_dtype" in text


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"itype": "NoSuchRegistry"}, "not a registry"),
        ({"itype": "bio.Gene.no_field"}, "no field"),
        ({"itype": 3}, "not a registry"),
        ({"itype": "Feature", "dtype": "banana"}, "dtype"),
        ({"features": "x"}, "list of features"),
    ],
)
def test_bad_definitions_are_refused(ln, kwargs, match):
    with pytest.raises(ln.errors.InvalidArgument, match=match):
        ln.Schema(**kwargs)


def test_unsaved_feature_and_duplicates_are_refused(ln, feats, unique):
    a, _, _ = feats
    with pytest.raises(ln.errors.InvalidArgument, match="not saved"):
        ln.Schema(features=[ln.Feature(name=f"unsaved_{unique}", dtype=int)])
    with pytest.raises(ln.errors.InvalidArgument, match="twice"):
        ln.Schema(features=[a, a])
    with pytest.raises(ln.errors.InvalidArgument, match="with_config"):
        a.with_config(required=True)
    with pytest.raises(ln.errors.InvalidArgument, match="slots"):
        ln.Schema(otype="AnnData", slots={"obs": "not a schema"})
