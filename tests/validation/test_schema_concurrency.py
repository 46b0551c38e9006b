"""Guarantee: the same schema definition is one schema, also when processes save it at the same moment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WORKER = str(Path(__file__).with_name("schema_race_worker.py"))
WORKERS = 4


def test_four_processes_saving_one_definition_make_one_schema(ln, make_instance, tmp_path):
    inst = make_instance(modules="bio")
    feature = ln.Feature(name="raced", dtype=float).save()
    procs = [
        subprocess.Popen([sys.executable, WORKER, inst.name, str(tmp_path), str(WORKERS), feature.name],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(WORKERS)
    ]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.strip().endswith("done"), f"worker failed ({p.returncode}):\n{err[-3000:]}"
        outputs.append(out.split()[:2])
    # every worker reached the insert before any of them inserted: the pre-save lookup found nothing
    arrivals = list(tmp_path.iterdir())
    assert len(arrivals) == 2 * WORKERS
    assert len({tuple(o) for o in outputs}) == 1  # all got the same two schemas back
    assert ln.Schema.filter().count() == 2
    assert ln.Schema.filter(links_feature__feature=feature).count() == 1
    assert ln.Schema.filter(itype="bio.Gene.ensembl_gene_id").count() == 1
    # the losers' outer transactions survived (PostgreSQL runs the workers inside transaction.atomic())
    assert ln.Record.filter(name__startswith="after-race-").count() == WORKERS


def test_lost_race_inside_an_outer_transaction_returns_the_winner(ln, unique, monkeypatch):
    """A competing row appears between the lookup and the insert: save() returns it, the transaction goes on."""
    from django.db import transaction

    from lineagedb.models.schema import Schema

    feature = ln.Feature(name=f"lost_{unique}", dtype=int).save()
    original = Schema._insert
    winner: list[Schema] = []

    def insert_after_a_competitor(self, *args, **kwargs):  # noqa: ANN001, ANN202
        if not winner:
            rival = Schema(features=[feature], name="winner")
            rival.hash = self.hash
            winner.append(Schema.objects.bulk_create([rival])[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Schema, "_insert", insert_after_a_competitor)
    with transaction.atomic():
        schema = ln.Schema(features=[feature]).save()
        record = ln.Record(name=f"after-{unique}").save()
    assert winner and schema.pk == Schema.objects.get(hash=schema.hash).pk
    assert schema.name == "winner" and not schema._state.adding
    assert ln.Record.filter(pk=record.pk).exists()
    assert ln.Schema.filter(hash=schema.hash).count() == 1


def test_feature_sets_of_distinct_genes_have_distinct_hashes(ln, unique):
    import lineagedb.bio as bt

    genes = ln.save([bt.Gene(ensembl_gene_id=f"ENSGHASH{unique}{i}", symbol=f"HASH{unique}") for i in range(2)])
    genes = list(bt.Gene.filter(ensembl_gene_id__startswith=f"ENSGHASH{unique}").order_by("ensembl_gene_id"))
    first = ln.Schema(itype=bt.Gene.symbol, _members=[genes[0]]).save()
    second = ln.Schema(itype=bt.Gene.symbol, _members=[genes[1]]).save()  # same symbol, another gene
    again = ln.Schema(itype=bt.Gene.symbol, _members=[genes[0]]).save()
    assert first.pk != second.pk and first.hash != second.hash and again.pk == first.pk
