"""Bio registries: records from sources (with parents), custom records, bulk creation, registry-level checks."""

from __future__ import annotations

import pytest


def test_from_source_saves_record_with_source_synonyms_and_ancestors(ln):
    import lineagedb.bio as bt

    record = bt.CellType.from_source(name="effector T cell")
    assert record._state.adding
    assert record.ontology_id == "CL:0000911"
    assert "effector T-cell" in record.synonyms.split("|")
    assert record.description
    assert (record.source.name, record.source.entity) == ("cl", "bio.CellType")
    record.save()
    # direct parent saved and linked, and the chain goes up to the root "cell"
    assert "mature T cell" in record.parents.list("name")
    chain, node = [], record
    while node.parents.exists():
        node = node.parents.order_by("ontology_id").first()
        chain.append(node.name)
    assert chain[-1] == "cell", chain
    # uids derive from the ontology id, and a second from_source returns the saved record
    again = bt.CellType.from_source(ontology_id="CL:0000911")
    assert again.pk == record.pk
    assert record.uid == bt.CellType(name="x", ontology_id="CL:0000911").uid


def test_from_source_errors_and_parents_false(ln):
    import lineagedb.bio as bt

    with pytest.raises(ln.errors.DoesNotExist, match="did you mean"):
        bt.CellType.from_source(name="gamma-delta T cel")
    with pytest.raises(ln.errors.InvalidArgument, match="exactly one field"):
        bt.CellType.from_source(name="T cell", ontology_id="CL:0000084")
    record = bt.Tissue.from_source(ontology_id="UBERON:0002113").save(parents=False)
    assert record.name == "kidney"
    assert record.parents.count() == 0


def test_custom_record_parents_and_view_parents(ln, unique, capsys):
    import lineagedb.bio as bt

    neuron = bt.CellType.from_source(name="neuron").save()
    state = bt.CellType(name=f"my neuron cell state {unique}", description="explains X").save()
    state.parents.add(neuron)
    text = state.view_parents(distance=2)
    out = capsys.readouterr().out
    assert f"my neuron cell state {unique}" in out and "neuron [CL:0000540]" in out
    # distance 2 shows the neuron's own parents, not the grandparents' parents
    assert "neural cell [CL:0002319]" in text
    assert "└── cell [CL:0000000]" not in text
    assert "children:" in neuron.view_parents(distance=1, with_children=True)


def test_gene_from_source_with_organism(ln):
    import lineagedb.bio as bt

    gene = bt.Gene.from_source(symbol="CD8A", organism="human").save()
    assert gene.ensembl_gene_id == "ENSG00000153563"
    assert gene.organism.name == "human" and gene.organism.ontology_id == "NCBITaxon:9606"
    mouse = bt.Gene.from_source(symbol="Cd8a", organism="mouse")
    assert mouse.ensembl_gene_id == "ENSMUSG00000053977"
    assert ln.Schema.__name__  # the gene registry is queryable by symbol
    assert bt.Gene.filter(symbol="CD8A").first().pk == gene.pk


def test_bulk_create_from_source_one_insert_and_reuse(ln):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import lineagedb.bio as bt
    from lineagedb.bio._public import bulk_create_from_source, resolve_from_source

    ids = bt.Gene.public().to_dataframe()["ensembl_gene_id"].iloc[1000:3000].tolist()
    resolved = resolve_from_source(bt.Gene, ids + ["ENSG_NOT_A_GENE"], "ensembl_gene_id")
    assert len(resolved) == 2000 and "ENSG_NOT_A_GENE" not in resolved
    with CaptureQueriesContext(connection) as ctx:
        records = bulk_create_from_source(bt.Gene, ids, "ensembl_gene_id")
    # a handful of statements (lookups + multi-row INSERT batches), never one per gene
    assert len(ctx.captured_queries) < 20, len(ctx.captured_queries)
    assert len(records) == 2000 and all(r.pk for r in records)
    again = bulk_create_from_source(bt.Gene, ids[:10] + ["CD14"], "ensembl_gene_id")
    assert {r.pk for r in again[:10]} <= {r.pk for r in records}
    assert again[-1].symbol == "CD14"  # found by symbol, the name field of genes
    # synonyms resolve to the canonical term
    kw = resolve_from_source(bt.CellType, ["T-cell", "CL:0000236"], "ontology_id")
    assert kw["T-cell"]["name"] == "T cell" and kw["CL:0000236"]["name"] == "B cell"


def test_from_values_validate_inspect_standardize(ln, unique):
    import lineagedb.bio as bt

    records = bt.CellType.from_values(["B cell", "T cell", "not a cell type"], "name")
    assert sorted(r.name for r in records) == ["B cell", "T cell"]
    ln.save([r for r in records if r._state.adding])
    assert bt.CellType.validate(["B cell", "T-cell"]).tolist() == [True, False]
    assert bt.CellType.standardize(["T-cell", "t cell"]) == ["T cell", "T cell"]
    assert bt.CellType.standardize(["gamma-delta T-cell"], public=True) == ["gamma-delta T cell"]
    assert bt.CellType.validate(["CL:0000798"], bt.CellType.ontology_id, public=True).tolist() == [True]
    result = bt.CellType.inspect(["B cell", "T-cell", f"odd {unique}"], show=False)
    assert result.validated == ["B cell"] and result.synonyms_mapper == {"T-cell": "T cell"}
    factors = bt.ExperimentalFactor.from_values(["EFO:0008913"], bt.ExperimentalFactor.ontology_id)
    assert factors[0].name == "single-cell RNA sequencing"


def test_import_source_bulk_and_user_source_file(ln, unique, tmp_path):
    import lineagedb.bio as bt

    saved = bt.DevelopmentalStage.import_source(organism="mouse")
    table = bt.DevelopmentalStage.public(organism="mouse").to_dataframe()
    assert len(saved) == len(table) > 50
    assert bt.DevelopmentalStage.filter(ontology_id__in=table["ontology_id"].tolist()).count() == len(table)
    adult = bt.DevelopmentalStage.get(ontology_id="MmusDv:0000136")
    assert adult.name == "prime adult stage" and adult.parents.exists()
    # a user-curated source for a registry without a default one
    obo = tmp_path / "pathways.obo"
    obo.write_text(
        "format-version: 1.2\ndata-version: mine/2024-01-01\n\n"
        f"[Term]\nid: PW:{unique}1\nname: signaling pathway {unique}\n\n"
        f"[Term]\nid: PW:{unique}2\nname: interferon signaling {unique}\nsynonym: \"IFN signaling {unique}\" EXACT []\n"
        f"is_a: PW:{unique}1 ! signaling\n"
    )
    bt.Source(entity="bio.Pathway", name=f"mine-{unique}", version="2024-01-01", url=str(obo), currently_used=True).save()
    assert bt.Pathway.public().standardize([f"IFN signaling {unique}"]) == [f"interferon signaling {unique}"]
    record = bt.Pathway.from_source(name=f"IFN signaling {unique}").save()
    assert record.ontology_id == f"PW:{unique}2" and record.parents.get().name == f"signaling pathway {unique}"
    custom = bt.CellMarker(name=f"CD8 {unique}").save()
    assert bt.CellMarker.validate([f"CD8 {unique}", "nope"]).tolist() == [True, False]
    assert custom.source is None


def test_parquet_source_for_an_organism_aware_registry(ln, unique, tmp_path):
    import pandas as pd

    import lineagedb.bio as bt

    path = tmp_path / "markers.parquet"
    pd.DataFrame({
        "ontology_id": [f"MK:{unique}1", f"MK:{unique}2"],
        "name": [f"CD8 {unique}", f"CD4 {unique}"],
        "synonyms": [f"T8 {unique}|Leu-2 {unique}", None],
        "gene_symbol": ["CD8A", "CD4"],
    }).to_parquet(path)
    bt.Source(entity="bio.CellMarker", organism="human", name=f"markers-{unique}", version="1", url=str(path),
              currently_used=True).save()
    marker = bt.CellMarker.from_source(name=f"T8 {unique}").save()
    assert (marker.name, marker.gene_symbol, marker.organism.name) == (f"CD8 {unique}", "CD8A", "human")
    assert marker.source.name == f"markers-{unique}"


def test_source_entity_takes_lamindbs_bionty_spelling(ln, unique):
    import lineagedb.bio as bt

    source = bt.Source(entity="bionty.Tissue", name=f"mine-{unique}", version="1").save()
    assert source.entity == "bio.Tissue"
    assert bt.Source.get(entity="bionty.Tissue", name=f"mine-{unique}") == source
    assert bt.Source.filter(entity__in=["bt.Tissue"], name=f"mine-{unique}").get() == source
    assert bt.Source.filter(entity="bio.Tissue", name=f"mine-{unique}").get() == source
    source.delete(permanent=True)
