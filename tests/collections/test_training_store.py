"""The training store (preshuffled chunked zarr v3) and its loader: rows, epochs, ranks, weights, splits, lineage."""

from __future__ import annotations

import numpy as np
import pytest
from collection_helpers import make_adata


def _files(tmp_path, sizes=(300, 200, 250), sparse=(True, False, True)):
    """Three h5ad files (mixed sparse/dense, one with an extra gene and another gene order); their adatas."""
    genes = [["g1", "g2", "g3", "g4"], ["g4", "g3", "g2", "g1", "g9"], ["g1", "g2", "g3", "g4"]]
    labels = [["T", "B", "NK"], ["B", "Mono"], ["T", "T", "T", "rare"]]
    out, adatas = [], []
    for i, (n, sp, names) in enumerate(zip(sizes, sparse, genes)):
        a = make_adata(names, n, 1000 * i, [labels[i][k % len(labels[i])] for k in range(n)], sparse=sp)
        path = tmp_path / f"f{i}.h5ad"
        a.write_h5ad(path)
        out.append(str(path))
        adatas.append(a)
    return out, adatas


def _expected(adatas, store):
    """The store's cells, in store order, taken from the source AnnData objects (genes in the store's order)."""
    rows = []
    for src, row in zip(store.obs["_source"], store.obs["_source_row"]):
        a = adatas[src]
        x = a.X[row]
        x = x.toarray()[0] if hasattr(x, "toarray") else np.asarray(x)
        rows.append(dict(zip(a.var_names, x)))
    return np.array([[r.get(g, 0) for g in store.var_names] for r in rows], dtype=np.float32)


def _dense(x):
    return x.toarray() if hasattr(x, "toarray") else np.asarray(x)


@pytest.fixture
def store(tmp_path):
    from lineagedb.loaders import write_training_store

    paths, adatas = _files(tmp_path)
    return write_training_store(paths, tmp_path / "train.zarr", obs_keys="cell_type", chunk_size=64), adatas


def test_rows_and_labels_match_the_sources(store):
    store, adatas = store
    assert store.n_obs == 750 and store.var_names == ["g1", "g2", "g3", "g4"] and store.layout == "csr"
    assert store.n_chunks == 12 and [s["n_cells"] for s in store.sources] == [300, 200, 250]
    want = _expected(adatas, store)
    np.testing.assert_array_equal(_dense(store.rows(np.arange(750))), want)
    np.testing.assert_array_equal(_dense(store.rows([700, 3, 3, 64])), want[[700, 3, 3, 64]])
    labels = [adatas[s].obs["cell_type"].iloc[r] for s, r in zip(store.obs["_source"], store.obs["_source_row"])]
    assert list(store.labels("cell_type")) == labels
    # preshuffled: the first chunk already mixes all three files
    assert set(store.obs["_source"][:64]) == {0, 1, 2}
    with pytest.raises(IndexError):
        store.rows([750])


@pytest.mark.parametrize("sparse", [False, True])
def test_every_cell_once_per_epoch_with_right_values(store, sparse):
    pytest.importorskip("torch")
    store, adatas = store
    want = _expected(adatas, store)
    loader = store.loader(batch_size=50, preload_chunks=3, seed=1, obs_keys="cell_type", sparse=sparse)
    seen, sizes = [], []
    codes = store.obs["cell_type"]
    for batch in loader:
        idx = batch["index"].numpy()
        x = batch["X"].to_dense().numpy() if sparse else batch["X"].numpy()
        np.testing.assert_array_equal(x, want[idx])
        np.testing.assert_array_equal(batch["cell_type"].numpy(), codes[idx])
        seen.append(idx)
        sizes.append(len(idx))
    seen = np.concatenate(seen)
    assert sorted(seen.tolist()) == list(range(750)) and len(sizes) == len(loader) == 15
    assert sizes == [50] * 15
    # a new, reproducible order next epoch
    loader.set_epoch(1)
    again = np.concatenate([b["index"].numpy() for b in loader])
    assert sorted(again.tolist()) == list(range(750)) and not np.array_equal(again, seen)
    loader.set_epoch(0)
    np.testing.assert_array_equal(np.concatenate([b["index"].numpy() for b in loader]), seen)


def test_numpy_and_scipy_batches_without_torch(store):
    store, adatas = store
    want = _expected(adatas, store)
    for sparse in (False, True):
        batch = next(iter(store.loader(batch_size=80, seed=2, sparse=sparse, obs_keys="cell_type", to_torch=False)))
        assert hasattr(batch["X"], "toarray") == sparse and batch["cell_type"].dtype == np.int64
        np.testing.assert_array_equal(_dense(batch["X"]), want[batch["index"]])


@pytest.mark.parametrize("layout", ["csr", "dense"])
def test_draws_with_replacement_give_right_rows_in_fresh_arrays(tmp_path, layout):
    from lineagedb.loaders import write_training_store

    paths, adatas = _files(tmp_path)
    store = write_training_store(paths, tmp_path / "t.zarr", obs_keys="cell_type", chunk_size=64, layout=layout)
    want = _expected(adatas, store)
    for sparse in (False, True):
        loader = store.loader(batch_size=50, preload_chunks=3, seed=4, replacement=True, num_samples=600,
                              sparse=sparse, to_torch=False)
        batches = list(loader)
        drawn = np.concatenate([b["index"] for b in batches])
        assert len(drawn) == 600 and len(np.unique(drawn)) < 600  # some cells come twice, in one round too
        for b in batches:
            np.testing.assert_array_equal(_dense(b["X"]), want[b["index"]])
        if not sparse:  # each dense batch owns its rows: writing into one changes no other batch, nor the store
            owners = [b["X"] if b["X"].base is None else b["X"].base for b in batches]
            assert all(o.nbytes == b["X"].nbytes for o, b in zip(owners, batches))  # no view into a whole round
            for b in batches:
                b["X"][:] = -1
            again = next(iter(loader))
            np.testing.assert_array_equal(again["X"], want[again["index"]])


def test_batches_mix_many_chunks(store):
    store, _ = store
    batch = next(iter(store.loader(batch_size=64, preload_chunks=8, seed=0, to_torch=False)))
    chunks = np.unique(batch["index"] // store.chunk_size)
    assert len(chunks) >= 6  # 64 draws from 8 chunks of 64 cells


def test_two_ranks_cover_every_cell_once(store):
    store, _ = store
    mask = np.zeros(store.n_obs, dtype=bool)
    mask[::3] = True
    for kwargs, total in (({}, 750), ({"mask": mask}, 250)):
        parts = []
        for rank in (0, 1):
            loader = store.loader(batch_size=32, preload_chunks=2, seed=7, rank=rank, world_size=2, to_torch=False, **kwargs)
            got = np.concatenate([b["index"] for b in loader])
            assert len(loader) == -(-len(got) // 32)
            parts.append(got)
        assert abs(len(parts[0]) - len(parts[1])) <= 1
        both = np.concatenate(parts)
        assert len(both) == total and len(np.unique(both)) == total
        if "mask" in kwargs:
            assert mask[both].all()
    with pytest.raises(Exception, match="seed"):
        store.loader(rank=0, world_size=2)
    # drop_last: the same number of full batches on both ranks
    lens = [len(list(store.loader(batch_size=100, seed=1, rank=r, world_size=2, drop_last=True, to_torch=False)))
            for r in (0, 1)]
    assert lens == [3, 3]


def test_dataloader_workers_share_the_epoch(store):
    pytest.importorskip("torch")
    store, adatas = store
    want = _expected(adatas, store)
    loader = store.loader(batch_size=32, preload_chunks=2, obs_keys="cell_type")  # no seed: one is drawn for the workers
    seen = []
    for batch in loader.dataloader(num_workers=2):
        idx = batch["index"].numpy()
        np.testing.assert_array_equal(batch["X"].numpy(), want[idx])
        seen.append(idx)
    assert sorted(np.concatenate(seen).tolist()) == list(range(750))


def test_class_weighted_draws_balance_labels(store):
    store, _ = store
    codes = store.obs["cell_type"]
    counts = np.bincount(codes)
    assert counts.min() * 4 < counts.max()  # unbalanced on purpose ("rare" is 1 in 4 of the third file)
    loader = store.loader(batch_size=100, preload_chunks=4, seed=3, weights="cell_type", num_samples=20_000,
                          to_torch=False)
    drawn = np.concatenate([codes[b["index"]] for b in loader])
    assert len(drawn) == 20_000
    share = np.bincount(drawn, minlength=len(counts)) / len(drawn)
    np.testing.assert_allclose(share, 1 / len(counts), atol=0.03)
    # uniform with replacement: proportional to the label counts
    plain = store.loader(batch_size=100, seed=3, replacement=True, num_samples=20_000, to_torch=False)
    drawn = np.concatenate([codes[b["index"]] for b in plain])
    np.testing.assert_allclose(np.bincount(drawn, minlength=len(counts)) / len(drawn), counts / counts.sum(), atol=0.03)


def test_splits_by_fraction_and_label(store):
    store, _ = store
    train, val = store.split(0.2, seed=0)
    assert val.sum() == 150 and not (train & val).any() and (train | val).all()
    got = np.concatenate([b["index"] for b in store.loader(batch_size=64, mask=val, seed=0, to_torch=False)])
    assert sorted(got.tolist()) == np.flatnonzero(val).tolist()
    train, val = store.split(0.25, seed=0, by="cell_type")
    labels = store.labels("cell_type")
    assert set(labels[val]).isdisjoint(set(labels[train])) and len(set(labels[val])) == 1
    b_cells = store.mask(cell_type="B")
    assert b_cells.sum() == (labels == "B").sum() > 0
    with pytest.raises(Exception, match="no label"):
        store.mask(cell_type="nope")


def test_dense_layout_and_append(tmp_path):
    from lineagedb.loaders import TrainingStore, append_training_store, write_training_store

    paths, adatas = _files(tmp_path, sizes=(70, 50, 40))
    for layout in ("dense", "csr"):
        out = tmp_path / f"{layout}.zarr"
        store = write_training_store(paths[:2], out, obs_keys="cell_type", chunk_size=32, layout=layout, codec="zstd")
        assert store.n_obs == 120 and store.layout == layout
        grown = append_training_store(out, paths[2:], sources=[{"uid": "x"}])
        assert grown.n_obs == 160 and grown.n_chunks == 5 and grown.sources[-1] == {"name": "f2.h5ad", "n_cells": 40, "uid": "x"}
        assert set(grown.obs["_source"][120:]) == {2} and "rare" in grown.categories["cell_type"]
        reopened = TrainingStore(out)
        np.testing.assert_array_equal(_dense(reopened.rows(np.arange(160))), _expected(adatas, reopened))
        seen = np.concatenate([b["index"] for b in reopened.loader(batch_size=16, seed=0, to_torch=False)])
        assert sorted(seen.tolist()) == list(range(160))


def test_bad_input_is_named(tmp_path, store):
    from lineagedb.errors import InvalidArgument
    from lineagedb.loaders import TrainingStore

    store, _ = store
    with pytest.raises(InvalidArgument, match="not a training store"):
        TrainingStore(tmp_path)
    with pytest.raises(InvalidArgument, match="obs key 'donor'"):
        store.loader(obs_keys="donor")
    with pytest.raises(InvalidArgument, match="mask"):
        store.loader(mask=np.ones(3, dtype=bool))
    with pytest.raises(InvalidArgument, match="rank"):
        store.loader(rank=2, world_size=2, seed=0)


def test_a_damaged_shard_index_is_a_named_error(store):
    from lineagedb.errors import StorageError
    from lineagedb.loaders import TrainingStore

    store, _ = store
    shard = store.path / "X" / "data" / "c" / "0" / "0"
    raw = bytearray(shard.read_bytes())
    raw[-10] ^= 0xFF  # inside the shard index, before its 4-byte checksum
    shard.write_bytes(bytes(raw))
    with pytest.raises(StorageError, match="crc32c"):
        TrainingStore(store.path).read_chunk(0)


def test_collection_writes_a_versioned_store_with_lineage(ln, unique):
    from lineagedb.loaders import TrainingStore

    def artifact(n, start, labels):
        return ln.Artifact.from_anndata(make_adata(["g1", "g2", "g3"], n, start, labels, prefix=unique),
                                        key=f"ts_{unique}/{start}.h5ad").save()

    a, b, c = artifact(40, 0, ["T"] * 40), artifact(30, 100, ["B"] * 30), artifact(20, 200, ["NK"] * 20)
    collection = ln.Collection([a, b], key=f"ts_{unique}").save()
    key = f"ts_{unique}/train.zarr"
    store_v1 = collection.to_training_store(key=key, obs_keys="cell_type", chunk_size=16)
    assert store_v1.key == key and store_v1.suffix == ".zarr" and store_v1.n_observations == 70
    assert set(store_v1.run.input_artifacts.all()) == {a, b}
    assert collection in store_v1.run.input_collections.all()
    opened = TrainingStore(store_v1.cache())
    assert [s["uid"] for s in opened.sources] == [a.uid, b.uid]
    epoch = opened.loader(batch_size=16, seed=0, to_torch=False)
    assert sorted(np.concatenate([x["index"] for x in epoch]).tolist()) == list(range(70))
    assert collection.to_training_store(key=key, obs_keys="cell_type", chunk_size=16) == store_v1  # nothing new
    # the collection grows: the store grows into a new version, traced to the previous one and the new artifact
    collection_v2 = collection.append(c).save()
    store_v2 = collection_v2.to_training_store(key=key, obs_keys="cell_type", chunk_size=16)
    store_v1.refresh_from_db()
    assert store_v2 != store_v1 and store_v2.is_latest and not store_v1.is_latest
    assert store_v2.uid[:16] == store_v1.uid[:16]  # one version family
    assert set(store_v2.run.input_artifacts.all()) == {store_v1, c}
    opened = TrainingStore(store_v2.cache())
    assert opened.n_obs == 90 and [s["uid"] for s in opened.sources] == [a.uid, b.uid, c.uid]
    assert sorted(opened.categories["cell_type"]) == ["B", "NK", "T"]
    counts = dict(zip(*np.unique(opened.labels("cell_type"), return_counts=True)))
    assert counts == {"T": 40, "B": 30, "NK": 20}
    # members that are not the previous ones plus more: written afresh, still a new version of the same key
    other = ln.Collection([b, a], key=f"ts_{unique}_other").save()
    store_v3 = other.to_training_store(key=key, obs_keys="cell_type", chunk_size=16)
    assert store_v3.uid[:16] == store_v1.uid[:16] and store_v3.is_latest
    assert set(store_v3.run.input_artifacts.all()) == {a, b}
    assert [s["uid"] for s in TrainingStore(store_v3.cache()).sources] == [b.uid, a.uid]
    with pytest.raises(Exception, match=r"\.zarr"):
        collection.to_training_store(key=f"ts_{unique}/train.h5")


def _ddp_rank(rank, path, port, out):
    """One rank of a real 2-process gloo group: the loader takes rank and world size from the group."""
    import os

    import torch.distributed as dist

    from lineagedb.loaders import TrainingStore

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=2)
    try:
        loader = TrainingStore(path).loader(batch_size=40, preload_chunks=2, seed=5)
        np.save(f"{out}/rank{rank}.npy", np.concatenate([b["index"].numpy() for b in loader]))
        dist.barrier()
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_real_two_process_gloo_epoch_covers_every_cell_once(store, tmp_path):
    import socket

    pytest.importorskip("torch")
    import torch.multiprocessing as mp

    store, _ = store
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_ddp_rank, args=(str(store.path), port, str(tmp_path)), nprocs=2, join=True)
    parts = [np.load(tmp_path / f"rank{r}.npy") for r in (0, 1)]
    assert len(parts[0]) == len(parts[1]) == 375
    assert sorted(np.concatenate(parts).tolist()) == list(range(750))
