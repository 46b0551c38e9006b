"""Block mode gathers uncompressed dense rows straight from the mapped files: same rows as exact reads."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def dense_files(tmp_path):
    import anndata as ad
    import pandas as pd

    paths = []
    for f, n in enumerate([37, 50, 13]):
        rng = np.random.default_rng(f)
        adata = ad.AnnData(rng.random((n, 6), dtype=np.float32),
                           obs=pd.DataFrame({"cell_type": pd.Categorical(rng.choice(["T", "B", "NK"], n))},
                                            index=[f"f{f}_c{i}" for i in range(n)]),
                           var=pd.DataFrame(index=[f"g{i}" for i in range(6)]))
        adata.obsm["pca"] = rng.random((n, 3)).astype(np.float64)
        adata.layers["counts"] = rng.integers(0, 9, (n, 6)).astype(np.int32)
        paths.append(str(tmp_path / f"d{f}.h5ad"))
        adata.write_h5ad(paths[-1])
    return paths


@pytest.mark.parametrize("dtype", [None, "float64"])
def test_block_batches_equal_exact_reads(dense_files, dtype):
    from lineagedb.loaders import MappedCollection

    keys = dict(obs_keys="cell_type", layers_keys=["X", "counts"], obsm_keys="pca", join=None, dtype=dtype)
    exact, blocky = MappedCollection(dense_files, **keys), MappedCollection(dense_files, **keys)
    sampler = blocky.block_sampler(batch_size=16, block_size=8, buffer_size=32, seed=2)
    seen = []
    for batch in sampler:
        got, want = blocky.get_batch(batch), exact.get_batch(batch)
        assert set(got) == set(want)
        for key in want:
            np.testing.assert_array_equal(got[key], want[key])
            assert got[key].dtype == want[key].dtype
        seen += batch
    assert sorted(seen) == list(range(100))
    rng = np.random.default_rng(0)
    for idx in (rng.permutation(100)[:20], np.array([5, 5, 99, 0, 40, 40, 36, 37]), np.array([-1, 3, -100])):
        got, want = blocky.get_batch(idx), exact.get_batch(idx)  # unsorted, repeated and negative indices
        for key in want:
            np.testing.assert_array_equal(got[key], want[key])
    blocky.close()  # reopened on the next read
    np.testing.assert_array_equal(blocky.get_batch([1, 2])["X"], exact.get_batch([1, 2])["X"])


def test_block_batches_are_copies_not_views_of_the_files(dense_files):
    from lineagedb.loaders import MappedCollection

    ds = MappedCollection(dense_files, join=None)
    ds.set_block_mode(8)
    first = ds.get_batch(list(range(10)))["X"]
    assert first.flags.owndata and first.flags.writeable
    first[:] = -1  # a batch belongs to the caller; writing to it changes nothing on disk or in later batches
    np.testing.assert_array_equal(ds.get_batch(list(range(10)))["X"] >= 0, True)
