"""Block mode of the mapped loader: whole blocks are read once, then batches are gathered from memory.

The block sampler hands out batches drawn from a buffer of ``buffer_size // block_size`` random
blocks. In block mode the dataset reads each touched block in one contiguous read, decodes it
(sparse rows densified, genes aligned to the join) and keeps the most recent ones in a small LRU cache
(twice a buffer's worth, per process: ``2 * buffer_size * n_vars * itemsize`` bytes). Every later
batch of the same buffer is a plain in-memory gather. Uncompressed dense arrays that need no gene
alignment or dtype change skip the cache: their rows are gathered straight from the memory-mapped file
(the page cache is the cache), one ``take`` per file and batch, copying each row once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from ._store import _Dense


class BlockCache:
    """An LRU cache of decoded blocks: ``(file, block) -> {array name: dense rows}``."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._items: OrderedDict[tuple[int, int], dict[str, np.ndarray]] = OrderedDict()

    def get(self, key: tuple[int, int], load: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found
        found = self._items[key] = load()
        if len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return found


def block_batch(ds: Any, n: int, order: np.ndarray, sorted_idx: np.ndarray, stores: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays of one batch (rows at ``order``), gathered from cached blocks of ``ds``.

    Arrays that the mapped file already holds as wanted (uncompressed dense, no gene alignment or dtype
    change) are gathered straight from the mapping, one ``take`` per file; others go through the cache.
    """
    size = ds._block_size
    if ds._block_cache is None:
        ds._block_cache = BlockCache(ds._block_capacity)
    cache = ds._block_cache
    in_order = bool(np.all(order[1:] > order[:-1]))  # the block sampler hands out sorted batches
    rows = sorted_idx - ds.offsets[stores]
    out: dict[str, np.ndarray] = {}
    file_change = np.flatnonzero(stores[1:] != stores[:-1]) + 1
    file_bounds = [0, *file_change.tolist(), len(sorted_idx)]
    for f_lo, f_hi in zip(file_bounds[:-1], file_bounds[1:]):
        if f_lo == f_hi:
            continue
        store = int(stores[f_lo])
        direct, cached_names = _plan(ds, store)
        for name, values in direct:  # whole rows in the mapping: one gather per file
            dest = ds._dest(out, name, n, values.shape[1], values.dtype, zeros=False)  # every row is written
            _gather(dest, values, rows[f_lo:f_hi], order, f_lo, f_hi, in_order)
        if not cached_names:
            continue
        blocks = rows[f_lo:f_hi] // size
        change = np.flatnonzero(blocks[1:] != blocks[:-1]) + 1 + f_lo
        bounds = [f_lo, *change.tolist(), f_hi]
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            block = int(blocks[lo - f_lo])
            decoded = cache.get((store, block), partial(_load, ds, store, block, cached_names))
            within = rows[lo:hi] - block * size
            for name, values in decoded.items():
                dest = ds._dest(out, name, n, values.shape[1], values.dtype, zeros=False)  # decoded blocks are whole rows
                _gather(dest, values, within, order, lo, hi, in_order)
    return out


def _plan(ds: Any, store: int) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
    """Per opened file: ``[(name, 2-D mapped array)]`` read straight from the mapping, and the names to decode."""
    handle = ds._file(store)
    plan = handle.block_plan
    if plan is None:
        direct, decoded = [], []
        for name, matrix in handle.arrays.items():
            if _mapped_as_is(ds, name, matrix, store):
                direct.append((name, matrix.array if matrix.array.ndim == 2 else matrix.array[:, None]))
            else:
                decoded.append(name)
        plan = handle.block_plan = (direct, decoded)
    return plan


def _gather(dest: np.ndarray, values: np.ndarray, within: np.ndarray, order: np.ndarray, lo: int, hi: int,
            in_order: bool) -> None:
    """Copy rows ``within`` of ``values`` into the batch rows ``lo:hi`` (or ``order[lo:hi]``)."""
    if in_order:
        # one copy, straight into the batch; the indices are in range, and mode="clip" (unlike the default
        # "raise") lets numpy write into ``out`` directly instead of through a temporary buffer
        values.take(within, axis=0, out=dest[lo:hi], mode="clip")
    else:
        dest[order[lo:hi]] = values[within]


def _load(ds: Any, store: int, block: int, names: list[str]) -> dict[str, np.ndarray]:
    first = block * ds._block_size
    rows = np.arange(first, min(first + ds._block_size, ds.n_obs_list[store]), dtype=np.int64)
    targets = np.arange(len(rows), dtype=np.int64)
    decoded: dict[str, np.ndarray] = {}
    arrays = ds._file(store).arrays
    for name in names:
        ds._fill(decoded, name, arrays[name], store, rows, targets, len(rows))
    return decoded


def _mapped_as_is(ds: Any, name: str, matrix: Any, store: int) -> bool:
    return (isinstance(matrix, _Dense) and matrix.in_memory
            and (name.startswith(("obsm_", "raw.")) or ds._col_maps[store] is None)
            and (ds.dtype is None or ds.dtype == matrix.array.dtype))
