"""Bulk paths (``from_values`` + ``ln.save``, ``bulk_create_from_source``) link ontology parents like ``.save()``."""

from __future__ import annotations


def _direct_parents(onto, oid: str) -> set[str]:
    return set(onto.parents(oid)["ontology_id"])


def _count_queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        out = fn()
    return out, len(ctx.captured_queries)


def test_from_values_then_ln_save_links_parents_and_creates_ancestors(ln, make_instance):
    make_instance()
    import lineagedb.bio as bt

    onto = bt.CellType.public()
    ids = onto.to_dataframe()["ontology_id"].iloc[:300].tolist()
    records = bt.CellType.from_values(ids, bt.CellType.ontology_id)
    assert len(records) == 300 and all(r._state.adding for r in records)
    _, n = _count_queries(lambda: ln.save(records))
    # bounded: lookups, a few multi-row inserts, link batches; never one per record or per link
    assert n < 25, n
    for r in records[::15]:
        assert set(r.parents.values_list("ontology_id", flat=True)) == _direct_parents(onto, r.ontology_id), r
    # missing ancestors were created too (as record.save() does), so chains reach the root "cell"
    closure = onto.ancestors(ids)
    assert bt.CellType.filter(ontology_id__in=list(closure)).count() == len(closure) > 300
    node = bt.CellType.get(ontology_id="CL:0000084")  # T cell
    while node.parents.exists():
        node = node.parents.order_by("ontology_id").first()
    assert node.name == "cell"
    # a second bulk save of the same terms adds nothing (links are idempotent)
    links = bt.CellType.parents.through.objects.count()
    ln.save(bt.CellType.from_values(ids[:50], bt.CellType.ontology_id))
    assert bt.CellType.parents.through.objects.count() == links


def test_bulk_create_from_source_links_parents_genes_untouched(ln, make_instance):
    make_instance()
    import lineagedb.bio as bt
    from lineagedb.bio._public import bulk_create_from_source

    onto = bt.Tissue.public()
    ids = onto.to_dataframe()["ontology_id"].iloc[2000:3000].tolist()
    records, n = _count_queries(lambda: bulk_create_from_source(bt.Tissue, ids, "ontology_id"))
    assert len(records) == 1000 and n < 40, n
    for r in records[::50]:
        assert set(r.parents.values_list("ontology_id", flat=True)) == _direct_parents(onto, r.ontology_id), r
    # custom records (no source) and genes (no parents in their source) get no links
    custom = bt.Tissue(name="my organoid region")
    genes = bulk_create_from_source(bt.Gene, ["CD8A", "CD4"], "symbol")
    ln.save([custom])
    assert custom.parents.count() == 0
    assert all(g.parents.count() == 0 for g in genes)
    assert bt.Gene.parents.through.objects.count() == 0
