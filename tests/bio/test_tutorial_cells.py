"""The tutorial's bio cells, as written, plus the terms other sections rely on, all offline."""

from __future__ import annotations


def test_manage_biological_registries_cells(ln, capsys):
    import lineagedb.bio as bt

    cell_type_ontology = bt.CellType.public()
    text = repr(cell_type_ontology)
    assert "Entity: CellType" in text and "Source: cl" in text
    top = cell_type_ontology.search("gamma-delta T cell").head(2)
    assert "gamma-delta T cell" in list(top["name"])

    cell_type = bt.CellType.from_source(name="effector T cell").save()
    assert cell_type.ontology_id == "CL:0000911"

    neuron = bt.CellType.from_source(name="neuron").save()
    new_cell_state = bt.CellType(name="my neuron cell state", description="explains X").save()
    new_cell_state.parents.add(neuron)
    new_cell_state.view_parents(distance=2)
    out = capsys.readouterr().out
    assert "my neuron cell state" in out and "neuron [CL:0000540]" in out


def test_terms_the_tutorial_validates_are_in_the_offline_sources(ln):
    import lineagedb.bio as bt

    cells = bt.CellType.public()
    for oid, name in [("CL:0000911", "effector T cell"), ("CL:0000236", "B cell"), ("CL:0000084", "T cell"),
                      ("CL:0000625", "CD8-positive, alpha-beta T cell"), ("CL:0000540", "neuron"),
                      ("CL:0000798", "gamma-delta T cell")]:
        assert cells.get(oid)["name"] == name
    assert bt.ExperimentalFactor.public().get("EFO:0008913")["name"] == "single-cell RNA sequencing"
    genes = bt.Gene.public(organism="human")
    expected = {"ENSG00000153563": "CD8A", "ENSG00000010610": "CD4", "ENSG00000170458": "CD14", "ENSG00000004468": "CD38"}
    assert genes.standardize(list(expected), field="ensembl_gene_id", return_field="symbol") == list(expected.values())


def test_older_version_through_a_source_record(ln):
    import lineagedb.bio as bt

    old = bt.Source(entity="bio.CellType", name="cl", version="2025-02-13", organism="all")
    onto = bt.CellType.public(source=old)
    assert onto.version == "2025-02-13" and len(onto.to_dataframe()) < len(bt.CellType.public().to_dataframe())
    assert onto.get("CL:0000798")["name"] == "gamma-delta T cell"
