"""Public ontologies read offline: sources, search ranking, lookup, validate/inspect/standardize, hierarchy."""

from __future__ import annotations

import pytest


def test_every_registry_with_a_default_source_loads_real_terms(ln):
    import lineagedb.bio as bt

    expected = {
        "CellType": ("cl", "CL:0000236", "B cell"),
        "Tissue": ("uberon", "UBERON:0000948", "heart"),
        "ExperimentalFactor": ("efo", "EFO:0008913", "single-cell RNA sequencing"),
        "Disease": ("mondo", "MONDO:0005148", "type 2 diabetes mellitus"),
        "Phenotype": ("hp", "HP:0001250", "Seizure"),
        "DevelopmentalStage": ("hsapdv", "HsapDv:0000258", "adult stage"),
        "Ethnicity": ("hancestro", "HANCESTRO:0005", "European ancestry"),
        "Organism": ("ncbitaxon", "NCBITaxon:9606", "human"),
    }
    for registry, (source, oid, name) in expected.items():
        onto = getattr(bt, registry).public()
        assert onto.source == source, registry
        row = onto.get(oid)
        assert row["name"] == name, (registry, row["name"])
    assert bt.CellLine.public().get("CVCL_0004")["name"] == "K-562"
    assert bt.Protein.public().get("P01732")["name"] == "CD8A_HUMAN"
    assert bt.Protein.public(organism="mouse").get("P01731")["name"] == "CD8A_MOUSE"
    assert bt.DevelopmentalStage.public(organism="mouse").source == "mmusdv"
    assert bt.Phenotype.public(source="pato").get("PATO:0000001")["name"] == "quality"


def test_search_ranks_exact_name_first_and_is_fast(ln):
    import lineagedb.bio as bt

    top = bt.CellType.public().search("gamma-delta T cell").head(2)
    assert list(top["name"])[0] == "gamma-delta T cell"
    assert top["score"].iloc[0] == 1.0 > top["score"].iloc[1]
    # a synonym finds its term
    assert bt.CellType.public().search("T lymphocyte")["ontology_id"].iloc[0] == "CL:0000084"
    # a typo still finds the term (fuzzy)
    assert "kidney" in bt.Tissue.public().search("kidny", limit=5)["name"].tolist()
    for registry, query in (("Tissue", "heart left ventricle"), ("Disease", "type 2 diabetes")):
        onto = getattr(bt, registry).public()
        hits = onto.search(query)  # speed: benchmarks/ (search rows)
        assert len(hits) > 0


def test_later_loads_come_from_memory(ln):
    import lineagedb.bio as bt

    first = bt.Disease.public()
    onto = bt.Disease.public()
    assert onto._table is first._table  # the parsed table is held in memory, not read again
    assert len(onto.to_dataframe()) > 20_000


def test_validate_inspect_standardize_on_the_public_source(ln, capsys):
    import lineagedb.bio as bt

    onto = bt.CellType.public()
    assert onto.validate(["T cell", "T-cell", "nonsense"]).tolist() == [True, False, False]
    assert onto.validate(["CL:0000084"], field="ontology_id").tolist() == [True]
    result = onto.inspect(["T cell", "T-cell", "nonsense"])
    assert result.validated == ["T cell"]
    assert result.non_validated == ["T-cell", "nonsense"]
    assert result.synonyms_mapper == {"T-cell": "T cell"}
    assert "not validated" in capsys.readouterr().out
    assert onto.standardize(["T-cell", "b cell", "nonsense"]) == ["T cell", "B cell", "nonsense"]
    assert onto.standardize(["T-cell"], return_field="ontology_id") == ["CL:0000084"]
    genes = bt.Gene.public()
    assert genes.validate(["CD8A", "NOTAGENE"]).tolist() == [True, False]
    assert genes.standardize(["cd8a"]) == ["CD8A"]


def test_lookup_parents_children(ln):
    import lineagedb.bio as bt

    onto = bt.CellType.public()
    lookup = onto.lookup()
    assert lookup.gamma_delta_t_cell.ontology_id == "CL:0000798"
    assert lookup["B cell"].ontology_id == "CL:0000236"
    assert "gamma_delta_t_cell" in dir(lookup)
    assert "T cell" in onto.parents("alpha-beta T cell")["name"].tolist()
    assert "alpha-beta T cell" in onto.children("T cell")["name"].tolist()


def test_organism_aware_registries_name_available_organisms(ln):
    import lineagedb.bio as bt

    with pytest.raises(ln.errors.InvalidArgument, match="available organisms: \\['human', 'mouse'\\]"):
        bt.Gene.public(organism="axolotl")
    assert bt.Gene.public(organism="mouse").get("ENSMUSG00000053977")["symbol"] == "Cd8a"
    assert bt.Gene.public().organism == bt.settings.organism == "human"
    with pytest.raises(ln.errors.InvalidArgument, match="no built-in public source"):
        bt.Pathway.public()
