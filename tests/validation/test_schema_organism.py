"""Schemas over gene fields resolve values against the organism they name (default: bt.settings.organism)."""

from __future__ import annotations

import pytest

MOUSE = ["ENSMUSG00000026395", "ENSMUSG00000053977", "ENSMUSG00000023274"]  # Ptprc, Cd8a, Cd4 (shipped table)


def _counts(columns):
    import pandas as pd

    return pd.DataFrame({c: [1, 2, 3] for c in columns})


def test_mouse_gene_schema_validates_and_creates_mouse_genes(ln, unique):
    import lineagedb.bio as bt

    schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int, organism="mouse").save()
    assert schema.organism == "mouse" and schema.config == {"organism": "mouse"}
    default = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()
    assert default.pk != schema.pk and default.organism is None
    assert ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int, organism=bt.Organism(name="mouse")).save().pk == schema.pk

    df = _counts(MOUSE)
    assert ln.curators.DataFrameCurator(df, default).cat.non_validated == {"columns": MOUSE}
    strict = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int, maximal_set=True).save()
    with pytest.raises(ln.errors.ValidationError) as info:  # the default organism (human) knows no mouse ids
        ln.Artifact.from_dataframe(df, key=f"org/{unique}-human.parquet", schema=strict)
    assert "3 values not validated" in str(info.value) and MOUSE[0] in str(info.value)

    artifact = ln.Artifact.from_dataframe(df, key=f"org/{unique}.parquet", schema=schema).save()
    genes = bt.Gene.filter(ensembl_gene_id__in=MOUSE)
    assert {(g.ensembl_gene_id, g.symbol, g.organism.name) for g in genes} == {
        ("ENSMUSG00000026395", "Ptprc", "mouse"), ("ENSMUSG00000053977", "Cd8a", "mouse"),
        ("ENSMUSG00000023274", "Cd4", "mouse"),
    }
    feature_set = artifact.feature_sets.get()
    assert feature_set.organism == "mouse" and feature_set.n == 3
    assert ln.Schema.filter(genes__symbol="Cd8a", pk=feature_set.pk).exists()


def test_mouse_symbols_validate_and_unknown_values_are_reported(ln, unique):
    import lineagedb.bio as bt

    schema = ln.Schema(itype=bt.Gene.symbol, dtype=int, organism="mouse", maximal_set=True).save()
    curator = ln.curators.DataFrameCurator(_counts(["Cd8a", "Ptprc", f"Nope{unique}"]), schema)
    with pytest.raises(ln.errors.ValidationError) as info:
        curator.validate()
    assert f"'Nope{unique}'" in str(info.value)
    assert curator.cat.non_validated == {"columns": [f"Nope{unique}"]}
    assert "organism: mouse" in schema.describe(return_str=True)


def test_saved_records_of_another_organism_do_not_validate(ln, unique):
    import lineagedb.bio as bt

    human = bt.Gene(symbol=f"Shared{unique}", ensembl_gene_id=f"ENSGSHARED{unique}",
                    organism=bt.Organism.filter(name="human").first() or bt.Organism(name="human").save()).save()
    schema = ln.Schema(itype=bt.Gene.symbol, dtype=int, organism="mouse").save()
    result = ln.curators.DataFrameCurator(_counts([human.symbol]), schema)
    assert result.cat.non_validated == {"columns": [human.symbol]}


def test_bad_organism_is_a_clear_error(ln):
    import lineagedb.bio as bt

    with pytest.raises(ln.errors.InvalidArgument, match="organism='martian'"):
        ln.Schema(itype=bt.Gene.ensembl_gene_id, organism="martian")
    with pytest.raises(ln.errors.InvalidArgument, match="organism-specific"):
        ln.Schema(itype=bt.CellType, organism="mouse")


def test_gene_column_of_a_feature_schema_uses_the_schema_organism(ln, unique):
    import pandas as pd

    import lineagedb.bio as bt

    feature = ln.Feature(name=f"marker_{unique}", dtype=bt.Gene.symbol).save()
    df = pd.DataFrame({feature.name: ["Cd8a", "Cd4"]})
    mouse = ln.Schema(features=[feature], organism="mouse").save()
    assert ln.curators.DataFrameCurator(df, mouse).cat.non_validated == {}
    artifact = ln.Artifact.from_dataframe(df, key=f"org/{unique}-markers.parquet", schema=mouse).save()
    assert {(g.symbol, g.organism.name) for g in artifact.genes.all()} == {("Cd8a", "mouse"), ("Cd4", "mouse")}
