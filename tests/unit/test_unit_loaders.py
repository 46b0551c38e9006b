"""The loaders' pure parts: the block sampler's index plan, obs_filter normalisation, the block cache."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineagedb import errors
from lineagedb.loaders import BlockSampler
from lineagedb.loaders._blocks import BlockCache
from lineagedb.loaders._filter import normalize


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=5),
    st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=6), st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=3), st.booleans(),
)
def test_every_cell_once_per_epoch_in_blocks_that_stay_in_one_file(sizes, batch_size, block_size, extra, workers,
                                                                   drop_last):
    offsets = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    sampler = BlockSampler(offsets, batch_size=batch_size, block_size=block_size,
                           buffer_size=block_size + extra, seed=1, drop_last=drop_last, num_workers=workers)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    seen = [i for b in batches for i in b]
    assert len(seen) == len(set(seen))
    if drop_last:
        assert all(len(b) == batch_size for b in batches)
        assert set(seen) <= set(range(offsets[-1]))
    else:
        assert sorted(seen) == list(range(offsets[-1]))
    assert all(b == sorted(b) for b in batches)


def test_a_seed_fixes_the_order_and_epochs_change_it():
    sampler = BlockSampler([0, 500, 1000], batch_size=50, block_size=10, buffer_size=100, seed=3)
    first = list(sampler)
    assert list(sampler) == first
    sampler.set_epoch(1)
    assert list(sampler) != first


def test_block_size_one_mixes_files_in_a_batch():
    sampler = BlockSampler([0, 100, 200], batch_size=100, block_size=1, buffer_size=200, seed=0)
    first = next(iter(sampler))
    assert min(first) < 100 <= max(first)


@pytest.mark.parametrize(("kwargs", "problem"), [({"batch_size": 0}, "must be positive"),
                                                 ({"block_size": 64, "buffer_size": 32}, "at least block_size")])
def test_bad_sizes_are_refused(kwargs, problem):
    with pytest.raises(errors.InvalidArgument, match=problem):
        BlockSampler([0, 10], **kwargs)


@pytest.mark.parametrize(("given_filter", "normalized"), [
    (None, {}),
    ({"cell_type": "T cell"}, {"cell_type": ["T cell"]}),
    ({"a": ["x", "y"], "b": ("z",), "c": 1}, {"a": ["x", "y"], "b": ["z"], "c": [1]}),
    (("cell_type", ("T cell", "B cell")), {"cell_type": ["T cell", "B cell"]}),
])
def test_obs_filter_forms(given_filter, normalized):
    assert normalize(given_filter) == normalized


def test_an_obs_filter_of_another_type_is_refused():
    with pytest.raises(errors.InvalidArgument, match="obs_filter must be a dict"):
        normalize(["cell_type"])


def test_block_cache_loads_once_and_evicts_the_least_recent():
    cache, loads = BlockCache(2), []

    def loader(key):
        return lambda: loads.append(key) or {"X": np.full(2, key[1])}

    for key in [(0, 0), (0, 1), (0, 0), (0, 2), (0, 0), (0, 1)]:
        assert cache.get(key, loader(key))["X"][0] == key[1]
    assert loads == [(0, 0), (0, 1), (0, 2), (0, 1)]  # (0, 1) was least recent when (0, 2) came
