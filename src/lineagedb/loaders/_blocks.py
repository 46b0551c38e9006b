"""Block mode of the mapped loader: whole blocks are read once, then batches are gathered from memory.

The block sampler hands out batches drawn from a buffer of ``buffer_size // block_size`` random
blocks. In block mode the dataset reads each touched block in one contiguous read, decodes it
(sparse rows densified, genes aligned to the join) and keeps the most recent ones in a small LRU cache
(twice a buffer's worth, per process: ``2 * buffer_size * n_vars * itemsize`` bytes). Every later
batch of the same buffer is a plain in-memory gather.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import numpy as np


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
    """The arrays of one batch (rows at ``order``), gathered from cached blocks of ``ds``."""
    size = ds._block_size
    if ds._block_cache is None:
        ds._block_cache = BlockCache(ds._block_capacity)
    cache = ds._block_cache
    in_order = bool(np.all(order[1:] > order[:-1]))  # the block sampler hands out sorted batches
    rows = sorted_idx - ds.offsets[stores]
    blocks = rows // size
    change = np.flatnonzero((np.diff(stores) != 0) | (np.diff(blocks) != 0)) + 1
    bounds = [0, *change.tolist(), len(sorted_idx)]
    out: dict[str, np.ndarray] = {}
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if lo == hi:
            continue
        store, block = int(stores[lo]), int(blocks[lo])
        decoded = cache.get((store, block), lambda: _load(ds, store, block))
        within = rows[lo:hi] - block * size
        for name, values in decoded.items():
            dest = ds._dest(out, name, n, values.shape[1], values.dtype, zeros=False)  # decoded blocks are whole rows
            if in_order:  # one copy, straight into the batch
                np.take(values, within, axis=0, out=dest[lo:hi])
            else:
                dest[order[lo:hi]] = values[within]
    return out


def _load(ds: Any, store: int, block: int) -> dict[str, np.ndarray]:
    first = block * ds._block_size
    rows = np.arange(first, min(first + ds._block_size, ds.n_obs_list[store]), dtype=np.int64)
    targets = np.arange(len(rows), dtype=np.int64)
    decoded: dict[str, np.ndarray] = {}
    for name, matrix in ds._file(store).arrays.items():
        if _mapped_as_is(ds, name, matrix, store):  # the mapped file already holds the block as wanted
            view = matrix.array[rows[0]:rows[-1] + 1]
            decoded[name] = view if view.ndim == 2 else view[:, None]
        else:
            ds._fill(decoded, name, matrix, store, rows, targets, len(rows))
    return decoded


def _mapped_as_is(ds: Any, name: str, matrix: Any, store: int) -> bool:
    from ._store import _Dense

    return (isinstance(matrix, _Dense) and matrix.in_memory
            and (name.startswith("obsm_") or ds._col_maps[store] is None)
            and (ds.dtype is None or ds.dtype == matrix.array.dtype))
