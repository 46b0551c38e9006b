"""Synonyms and abbreviations on records (features, bio registries), and class-only curation methods."""

from __future__ import annotations

import pytest


def test_feature_synonyms_rename_columns(ln, unique):
    pl = pytest.importorskip("polars")
    import pandas as pd

    u = unique
    feature = ln.Feature(name=f"canonical_{u}", dtype=int).save()
    feature.add_synonym([f"alias_{u}", "", f"alias_{u}"])  # empty strings and repeats are ignored
    feature.add_synonym("")
    assert ln.Feature.get(name=f"canonical_{u}").synonyms == f"alias_{u}"  # saved at once
    other = ln.Feature(name=f"other_{u}", dtype=int).save()
    with pytest.raises(ln.errors.ValidationError, match=f"alias_{u}.*canonical_{u}"):
        other.add_synonym(f"alias_{u}")  # a synonym belongs to one record
    with pytest.raises(ln.errors.ValidationError, match=r"cannot contain '\|'"):
        other.add_synonym("a|b")
    schema = ln.Schema(features=[feature]).save()
    for frame in (pl.DataFrame({f"alias_{u}": [1]}), pl.DataFrame({f"alias_{u}": [1]}).lazy(),
                  pd.DataFrame({f"alias_{u}": [1]})):
        curator = ln.curators.DataFrameCurator(frame, schema)
        curator.cat.standardize("columns")
        data = curator.dataset
        names = data.collect_schema().names() if hasattr(data, "collect_schema") else list(data.columns)
        assert list(names) == [f"canonical_{u}"]
    feature.remove_synonym(f"alias_{u}")
    assert ln.Feature.get(name=f"canonical_{u}").synonyms is None
    unsaved = ln.Feature(name=f"unsaved_{u}", dtype=int)
    unsaved.add_synonym(f"later_{u}")  # an unsaved record is not saved by it
    assert unsaved._state.adding and unsaved.synonyms == f"later_{u}"


def test_set_abbr_adds_a_synonym_unless_it_is_the_name(ln, unique):
    import lineagedb.bio as bt

    record = bt.CellType(name=f"my cell type {unique}").save()
    record.set_abbr(f"my cell type {unique}")
    assert record.abbr == f"my cell type {unique}" and record.synonyms is None
    record.set_abbr(f"mct{unique}")
    saved = bt.CellType.get(name=f"my cell type {unique}")
    assert saved.abbr == f"mct{unique}" and f"mct{unique}" in saved.synonyms.split("|")
    source = bt.Source.filter().first()
    assert not hasattr(source, "set_abbr") and not hasattr(ln.User, "add_synonym")


def test_validate_inspect_standardize_are_class_methods(ln, unique):
    import lineagedb.bio as bt

    label = ln.ULabel(name=f"label_{unique}").save()
    for name in ("validate", "inspect", "standardize"):
        with pytest.raises(TypeError, match=f"ULabel.{name}\\(\\) is a class method and must be called on the ULabel class"):
            getattr(label, name)([f"label_{unique}"])
    assert ln.ULabel.validate([f"label_{unique}", f"nope_{unique}"]).tolist() == [True, False]
    gene = bt.Gene.from_values(["PDCD1"], bt.Gene.symbol, organism="human")
    with pytest.raises(TypeError, match="must be called on the Gene class"):
        gene[0].validate(["PDCD1"])
    # from_source= is LaminDB's name for public=: False keeps to the saved records
    assert bt.Gene.standardize([f"NOTAGENE{unique}", "PDCD1"], from_source=False) == [f"NOTAGENE{unique}", "PDCD1"]
