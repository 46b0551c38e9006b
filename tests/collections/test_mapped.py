"""The mapped loader on real h5ad/zarr files: joins across different genes, labels, batches, workers, block sampling."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from collection_helpers import make_adata


def expected_matrix(adatas, join):
    import anndata as ad

    full = ad.concat(adatas, join=join, fill_value=0)
    return full


def dense(x):
    return x.toarray() if hasattr(x, "toarray") else np.asarray(x)


@pytest.mark.parametrize("join", ["inner", "outer"])
def test_join_matches_anndata_concat(h5ad_files, join):
    from lineagedb.loaders import MappedCollection

    paths, adatas = h5ad_files
    ds = MappedCollection(paths, obs_keys="cell_type", join=join)
    full = expected_matrix(adatas, join)
    want = dense(full[:, list(ds.var_joint)].X)
    assert list(ds.var_joint) == (["g2", "g4"] if join == "inner" else ["g1", "g2", "g3", "g4", "g5"])
    assert len(ds) == 9 and ds.shape == (9, len(ds.var_joint))
    got = np.stack([ds[i]["X"] for i in range(len(ds))])
    np.testing.assert_array_equal(got, want)
    order = [8, 0, 3, 3, 6, -1]
    batch = ds.get_batch(order)
    np.testing.assert_array_equal(batch["X"], want[[8, 0, 3, 3, 6, 8]])
    items = ds.__getitems__(order)
    assert [int(it["_store_idx"]) for it in items] == [1, 0, 0, 0, 1, 1]
    np.testing.assert_array_equal(np.stack([it["X"] for it in items]), want[[8, 0, 3, 3, 6, 8]])


def test_outer_join_fills_missing_genes_with_zero(h5ad_files):
    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    ds = MappedCollection(paths, join="outer")
    row = dict(zip(ds.var_joint, ds[5]["X"]))  # cell 100 of the second file: genes g2, g4, g5 only
    assert row == {"g1": 0, "g2": 100002, "g3": 0, "g4": 100004, "g5": 100005}


def test_labels_encoded_across_files_and_weights(h5ad_files):
    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    ds = MappedCollection(paths, obs_keys=["cell_type", "batch"], encode_labels=["cell_type"])
    enc = ds.encoders["cell_type"]
    assert set(enc) == {"T", "B", "NK", "Mono"} and sorted(enc.values()) == [0, 1, 2, 3]
    assert "batch" not in ds.encoders
    labels = ["T", "B", "T", "NK", "T", "B", "B", "Mono", "T"]
    assert [ds[i]["cell_type"] for i in range(9)] == [enc[x] for x in labels]
    assert ds[6]["batch"] == "b100"
    weights = ds.get_label_weights("cell_type")
    counts = {x: labels.count(x) for x in labels}
    np.testing.assert_allclose(weights, [1 / counts[x] for x in labels])
    assert len(ds.get_label_weights(["cell_type", "batch"])) == 9
    np.testing.assert_array_equal(ds.get_merged_labels("cell_type"), labels)


def test_unknown_label_encodes_to_minus_one(h5ad_files):
    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    ds = MappedCollection(paths, obs_keys="cell_type", unknown_label="Mono")
    assert ds.encoders["cell_type"]["Mono"] == -1  # listed, as in LaminDB
    assert ds[7]["cell_type"] == -1
    assert ds.encoders["cell_type"] == {"B": 0, "NK": 1, "T": 2, "Mono": -1}  # the others sorted


def test_join_none_keeps_each_files_genes_and_dtype(h5ad_files):
    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    ds = MappedCollection(paths, join=None, dtype="float64")
    assert ds[0]["X"].shape == (4,) and ds[8]["X"].shape == (3,)
    assert ds[0]["X"].dtype == np.float64
    with pytest.raises(ValueError, match="differ"):
        ds.get_batch([0, 8])


def test_bad_arguments_get_clear_errors(h5ad_files, tmp_path):
    from lineagedb.errors import InvalidArgument
    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    with pytest.raises(InvalidArgument, match="join"):
        MappedCollection(paths, join="left")
    with pytest.raises(InvalidArgument, match="unknown_label"):
        MappedCollection(paths, obs_keys="cell_type", unknown_label={"batch": "b0"})
    with pytest.raises(InvalidArgument, match="h5ad"):
        MappedCollection([str(tmp_path / "x.csv")])
    ds = MappedCollection(paths, obs_keys="cell_type")
    with pytest.raises(IndexError):
        ds[9]
    assert len(ds.get_label_weights("batch")) == 9  # a key outside obs_keys is read for the weights
    assert "batch" not in ds[0]
    with pytest.raises(InvalidArgument, match="none of the files"):
        ds.get_label_weights("nope")


def test_layers_obsm_and_zarr_members(tmp_path):
    from lineagedb.loaders import MappedCollection

    a = make_adata(["g1", "g2"], 3, 0)
    a.layers["counts"] = a.X * 2
    a.obsm["X_pca"] = np.arange(6, dtype=np.float32).reshape(3, 2)
    b = make_adata(["g1", "g2"], 2, 10, sparse=True)
    b.layers["counts"] = b.X * 2
    b.obsm["X_pca"] = -np.ones((2, 2), dtype=np.float32)
    a.write_h5ad(tmp_path / "a.h5ad")
    b.write_zarr(tmp_path / "b.zarr")
    ds = MappedCollection([str(tmp_path / "a.h5ad"), str(tmp_path / "b.zarr")], layers_keys=["X", "counts"],
                          obsm_keys="X_pca")
    item = ds[4]
    np.testing.assert_array_equal(item["X"], [0, 11002])  # sparse member: g1 left unstored
    np.testing.assert_array_equal(item["counts"], [0, 22004])
    np.testing.assert_array_equal(item["obsm_X_pca"], [-1, -1])
    batch = ds.get_batch([4, 1])
    np.testing.assert_array_equal(batch["obsm_X_pca"], [[-1, -1], [2, 3]])
    np.testing.assert_array_equal(batch["counts"][1], [2002, 2004])


def test_pickles_without_open_handles_and_closes(h5ad_files):
    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    with MappedCollection(paths, obs_keys="cell_type") as ds:
        first = ds[0]["X"]
        assert ds._handles  # opened lazily on first read
        clone = pickle.loads(pickle.dumps(ds))
        assert clone._handles == {}
        np.testing.assert_array_equal(clone[0]["X"], first)
        clone.close()
    assert ds._handles == {}
    np.testing.assert_array_equal(ds[0]["X"], first)  # reopens after close
    ds.close()


def test_dataloader_with_two_workers_sees_every_cell_once(h5ad_files):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    from lineagedb.loaders import MappedCollection

    paths, adatas = h5ad_files
    ds = MappedCollection(paths, obs_keys="cell_type", join="outer")
    ds[0]  # a handle opened in the parent must not leak into the workers
    want = dense(expected_matrix(adatas, "outer")[:, list(ds.var_joint)].X)
    for workers, kwargs in ((2, {}), (0, {"collate_fn": ds.collate_fn})):
        loader = DataLoader(ds, batch_size=4, shuffle=True, num_workers=workers, **kwargs)
        rows = torch.cat([batch["X"] for batch in loader]).numpy()
        assert rows.shape == want.shape
        assert sorted(map(tuple, rows)) == sorted(map(tuple, want))
    ds.close()


def test_weighted_sampler_pattern(h5ad_files):
    pytest.importorskip("torch")
    from torch.utils.data import DataLoader, WeightedRandomSampler

    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    ds = MappedCollection(paths, obs_keys="cell_type")
    sampler = WeightedRandomSampler(weights=ds.get_label_weights("cell_type"), num_samples=len(ds))
    batches = list(DataLoader(ds, batch_size=2, sampler=sampler))
    assert len(batches) == 5 and batches[0]["X"].shape == (2, 2) and batches[0]["cell_type"].dtype.is_floating_point is False


def test_block_sampler_covers_each_cell_once_in_blocks():
    from lineagedb.loaders import BlockSampler

    offsets = [0, 1000, 1700, 3000]
    sampler = BlockSampler(offsets, batch_size=64, block_size=32, buffer_size=256, seed=3)
    batches = list(sampler)
    assert len(batches) == len(sampler) == -(-3000 // 64)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(3000))
    # a buffer pools 8 blocks: the first 256 indices come from exactly 8 blocks, none crossing a file boundary
    first = flat[:256]
    blocks = {(int(np.searchsorted(offsets, i, side="right")) - 1, (i - offsets[int(np.searchsorted(offsets, i, side="right")) - 1]) // 32)
              for i in first.tolist()}
    assert len(blocks) == 8
    assert len({i // 32 for i in batches[0]}) > 2  # a batch mixes cells of several blocks of the buffer
    assert batches[0] == sorted(batches[0])  # sorted inside the batch, so blocks copy straight in
    sampler.set_epoch(1)
    assert list(sampler)[0] != batches[0]
    sampler.set_epoch(0)
    assert list(sampler)[0] == batches[0]  # reproducible per (seed, epoch)
    assert len(list(BlockSampler(offsets, batch_size=64, drop_last=True))) == 3000 // 64


def test_block_sampler_with_dataloader(h5ad_files):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    ds = MappedCollection(paths, obs_keys="cell_type")
    loader = DataLoader(ds, batch_sampler=ds.block_sampler(batch_size=4, block_size=2, buffer_size=4, seed=0),
                        collate_fn=ds.collate_fn)
    batches = list(loader)
    assert sum(len(b["X"]) for b in batches) == 9
    assert isinstance(batches[0]["X"], torch.Tensor) and batches[0]["cell_type"].dtype == torch.int64


@pytest.mark.parametrize("join", ["inner", "outer"])
def test_block_mode_returns_the_same_rows_as_exact_reads(h5ad_files, join):
    from lineagedb.loaders import MappedCollection

    paths, _ = h5ad_files
    exact = MappedCollection(paths, obs_keys="cell_type", join=join)
    blocky = MappedCollection(paths, obs_keys="cell_type", join=join)
    sampler = blocky.block_sampler(batch_size=3, block_size=2, buffer_size=4, seed=1)
    assert blocky._block_size == 2
    seen = []
    for batch in sampler:
        got, want = blocky.get_batch(batch), exact.get_batch(batch)
        for key in ("X", "cell_type", "_store_idx"):
            np.testing.assert_array_equal(got[key], want[key])
        seen += batch
    assert sorted(seen) == list(range(9))
    assert len(blocky._block_cache._items) <= blocky._block_capacity


def test_block_sampler_streams_per_worker():
    from lineagedb.loaders import BlockSampler

    offsets = [0, 1000, 1700, 3000]
    sampler = BlockSampler(offsets, batch_size=64, block_size=32, buffer_size=256, seed=0, num_workers=3)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    assert sorted(np.concatenate(batches).tolist()) == list(range(3000))
    for worker in range(3):  # every block a worker sees is one of its own: block number % 3 == worker
        for batch in batches[worker::3][:5]:
            ids = {(int(np.searchsorted(offsets, i, side="right")) - 1, (i - offsets[int(np.searchsorted(offsets, i, side="right")) - 1]) // 32) for i in batch}
            global_blocks = {sum(-(-(offsets[f + 1] - offsets[f]) // 32) for f in range(f0)) + b for f0, b in ids}
            assert {g % 3 for g in global_blocks} == {worker}


def test_block_mode_on_files_with_identical_genes_reads_the_mapping_directly(tmp_path):
    from lineagedb.loaders import MappedCollection

    paths = []
    for k, sparse in enumerate([False, True, False]):
        make_adata(["g1", "g2", "g3"], 7, 10 * k, sparse=sparse).write_h5ad(tmp_path / f"{k}.h5ad")
        paths.append(str(tmp_path / f"{k}.h5ad"))
    exact = MappedCollection(paths)
    blocky = MappedCollection(paths)
    for batch in blocky.block_sampler(batch_size=4, block_size=3, buffer_size=6, seed=2):
        np.testing.assert_array_equal(blocky.get_batch(batch)["X"], exact.get_batch(batch)["X"])
        shuffled = batch[::-1]  # any order still works
        np.testing.assert_array_equal(blocky.get_batch(shuffled)["X"], exact.get_batch(shuffled)["X"])
    np.testing.assert_array_equal(blocky.get_batch([20])["X"][0], [26001, 26002, 26003])  # file 2, row 6
