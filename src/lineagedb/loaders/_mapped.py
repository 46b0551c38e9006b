"""A map-style dataset over every cell of a collection of AnnData files, for ``torch.utils.data.DataLoader``.

>>> dataset = collection.mapped(obs_keys=["cell_type"])                 # doctest: +SKIP
>>> loader = DataLoader(dataset, batch_size=256, shuffle=True, num_workers=2)  # doctest: +SKIP

Nothing is loaded up front except the requested obs labels and each file's var names. Files are opened
lazily in the process that reads them (DataLoader workers included) and never pickled open; an
uncompressed h5ad is memory-mapped (see ``_store``) so a row costs an index, not a library call.
``__getitems__`` reads a whole batch at once, sorted per file. For training throughput use
:meth:`MappedCollection.block_sampler` (random contiguous blocks, shuffled in a buffer).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..errors import InvalidArgument
from . import _store
from ._labels import LabelEncoding

_FORKS = [0]  # bumped in every forked child, so handles opened before a fork are never reused after it


def _after_fork() -> None:
    _FORKS[0] += 1


os.register_at_fork(after_in_child=_after_fork)


class MappedCollection:
    """Rows of many AnnData files as one indexable dataset; see the module docstring.

    Each item is a dict: ``"X"`` (or each of ``layers_keys``), ``"obsm_<key>"`` for ``obsm_keys``,
    one entry per obs key (an integer code if encoded, else the raw value) and ``"_store_idx"`` (which file).
    """

    def __init__(
        self,
        paths: Sequence[str],
        obs_keys: str | list[str] | None = None,
        layers_keys: str | list[str] | None = None,
        obsm_keys: str | list[str] | None = None,
        join: str | None = "inner",
        encode_labels: bool | list[str] = True,
        unknown_label: str | dict[str, str] | None = None,
        cache_categories: bool = True,
        parallel: bool = False,
        dtype: str | None = None,
        obs_filter: dict[str, Any] | tuple | None = None,
    ) -> None:
        from . import _filter

        if join not in ("inner", "outer", None):
            raise InvalidArgument(f"join must be 'inner', 'outer' or None, not {join!r}")
        if not paths:
            raise InvalidArgument("a mapped collection needs at least one file")
        self.paths = [str(p) for p in paths]
        for path in self.paths:
            if not (path.endswith(".h5ad") or path.rstrip("/").endswith(".zarr")):
                raise InvalidArgument(f"mapped() reads .h5ad and .zarr AnnData files, not {path!r}")
        self.obs_keys = _as_list(obs_keys)
        self.layers_keys = _as_list(layers_keys) or ["X"]
        self.obsm_keys = _as_list(obsm_keys)
        self.join = join
        self.parallel = parallel  # files are always opened lazily per process; kept for API compatibility
        self.cache_categories = cache_categories
        self.dtype = np.dtype(dtype) if dtype is not None else None

        self.obs_filter = _filter.normalize(obs_filter)
        self._rows = _filter.rows_per_file(self.paths, self.obs_filter)
        self.n_obs_list = [_store.read_n_obs(p) if r is None else len(r) for p, r in zip(self.paths, self._rows)]
        self.offsets = np.concatenate([[0], np.cumsum(self.n_obs_list)]).astype(np.int64)
        self.n_obs = int(self.offsets[-1])
        _store.check_elements(self.paths, self.layers_keys, self.obsm_keys)
        self._join_vars()
        self.labels = LabelEncoding(self.paths, self.obs_keys, encode_labels, unknown_label, self.n_obs_list, self._rows)
        self._handles: dict[int, _store.AnnDataFile] = {}
        self._closed = False
        self._pid = _FORKS[0]
        self._block_size, self._block_capacity, self._block_cache = 0, 0, None  # block mode: see block_sampler()

    # -- structure -------------------------------------------------------------------------
    def _join_vars(self) -> None:
        import pandas as pd

        var_lists = [_store.read_var_names(p) for p in self.paths]
        self.var_list = var_lists
        self.original_shapes = [(n, len(names)) for n, names in zip(self.n_obs_list, var_lists)]
        if self.join is None:
            self.var_joint = var_lists[0]
            self._col_maps: list[np.ndarray | None] = [None] * len(var_lists)
            return
        if self.join == "inner":
            joint = var_lists[0]
            for names in var_lists[1:]:
                joint = joint[joint.isin(names)]
            if len(joint) == 0:
                raise InvalidArgument(
                    "join='inner': the files share no variables (var names); use join='outer' to take their union"
                )
        else:
            joint = pd.Index(sorted({name for names in var_lists for name in names}))
        self.var_joint = joint
        # per file: file column -> joint column (-1: dropped); None where identical
        self._col_maps = []
        for names in var_lists:
            if len(names) == len(joint) and names.equals(joint):
                self._col_maps.append(None)
            else:
                self._col_maps.append(joint.get_indexer(names).astype(np.int64))

    @property
    def join_vars(self) -> str | None:
        """How the files' variables are joined: ``"inner"``, ``"outer"`` or None."""
        return self.join

    def _var_lists(self) -> list[Any]:
        if self.var_list is None:  # reset by the user: read again
            self.var_list = [_store.read_var_names(p) for p in self.paths]
        return self.var_list

    def check_vars_sorted(self, ascending: bool = True) -> bool:
        """Whether every file's var names are sorted (``ascending=False``: in descending order)."""
        for names in self._var_lists():
            values = list(names)
            if values != sorted(values, reverse=not ascending):
                return False
        return True

    def check_vars_non_aligned(self, vars: Any) -> list[int]:  # noqa: A002
        """The indices of the files whose var names are not exactly ``vars`` (in that order)."""
        wanted = list(vars)
        return [i for i, names in enumerate(self._var_lists()) if list(names) != wanted]

    @property
    def closed(self) -> bool:
        """True after :meth:`close` until the next read reopens the files."""
        return self._closed

    @property
    def encoders(self) -> dict[str, dict[Any, int]]:
        """Per encoded obs key: label -> integer code."""
        return self.labels.encoders

    @property
    def n_vars(self) -> int:
        return len(self.var_joint)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_obs, self.n_vars)

    def __len__(self) -> int:
        return self.n_obs

    def get_label_weights(self, obs_keys: str | list[str], scaler: float | None = None,
                          return_categories: bool = False) -> Any:
        """Per-cell weights: ``1 / n`` (``scaler / (n + scaler)``), n = how many cells share its label(s);
        ``return_categories=True`` gives ``{"label1__label2": weight}`` instead.

        >>> sampler = WeightedRandomSampler(dataset.get_label_weights("cell_type"), len(dataset))  # doctest: +SKIP
        """
        return self.labels.weights(_as_list(obs_keys), scaler, return_categories)

    def get_merged_labels(self, key: str) -> np.ndarray:
        """All labels of one obs key, across files, decoded."""
        return self.labels.decoded(key)

    # -- files (opened lazily, per process) -------------------------------------------------
    def _file(self, i: int) -> _store.AnnDataFile:
        if self._pid != _FORKS[0]:  # forked into a worker: never reuse the parent's handles
            self._handles, self._pid = {}, _FORKS[0]
        handle = self._handles.get(i)
        self._closed = False
        if handle is None:
            keys = self.layers_keys
            handle = self._handles[i] = _store.AnnDataFile(self.paths[i], keys, self.obsm_keys)
        return handle

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_handles"], state["_block_cache"] = {}, None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._pid = _FORKS[0]

    def close(self) -> None:
        """Close every file this process opened (they reopen on the next read)."""
        for handle in self._handles.values():
            handle.close()
        self._handles = {}
        self._closed = True

    def __enter__(self) -> MappedCollection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001, S110  interpreter shutdown
            pass

    # -- reading ---------------------------------------------------------------------------
    def _locate(self, idx: int) -> tuple[int, int]:
        if idx < 0:
            idx += self.n_obs
        if not 0 <= idx < self.n_obs:
            raise IndexError(f"index {idx} out of range for {self.n_obs} observations")
        store = int(np.searchsorted(self.offsets, idx, side="right")) - 1
        return store, idx - int(self.offsets[store])

    def _row_out(self, matrix: Any, store: int, row: int, is_obsm: bool) -> np.ndarray:
        col_map = None if is_obsm else self._col_maps[store]
        if isinstance(matrix, _store._CSR):
            cols, vals = matrix.row_entries(row)
            width = matrix.n_cols if is_obsm or self.join is None else self.n_vars
            out = np.zeros(width, dtype=self.dtype or vals.dtype)
            if col_map is not None:
                cols = col_map[cols]
                keep = cols >= 0
                cols, vals = cols[keep], vals[keep]
            out[cols] = vals
            return out
        values = np.atleast_1d(matrix.row(row))
        return values if is_obsm else self._align(values[None, :], col_map)[0]

    def _align(self, block: np.ndarray, col_map: np.ndarray | None) -> np.ndarray:
        if self.dtype is not None and block.dtype != self.dtype:
            block = block.astype(self.dtype)
        if col_map is None:
            return block
        out = np.zeros((block.shape[0], self.n_vars), dtype=block.dtype)
        keep = col_map >= 0
        out[:, col_map[keep]] = block[:, keep]
        return out

    def __getitem__(self, idx: int) -> dict[str, Any]:
        store, row = self._locate(int(idx))
        handle = self._file(store)
        gidx = int(self.offsets[store]) + row
        kept = self._rows[store]
        if kept is not None:
            row = int(kept[row])
        item: dict[str, Any] = {}
        for name, matrix in handle.arrays.items():
            item[name] = self._row_out(matrix, store, row, _unaligned(name))
        item.update(self.labels.item(gidx, store))
        item["_store_idx"] = store
        return item

    def __getitems__(self, indices: Iterable[int]) -> _Batch:
        """A batch: rows are read per file in sorted order, then returned in the order asked.

        The list also carries the stacked arrays, which :meth:`collate_fn` hands to torch without copying.
        """
        return _Batch(self.get_batch(indices))

    def get_batch(self, indices: Iterable[int]) -> dict[str, np.ndarray]:
        """A batch as stacked arrays (one row per index, in the order given): the fast path for training loops."""
        idx = np.asarray(list(indices) if not isinstance(indices, np.ndarray) else indices, dtype=np.int64)
        idx = np.where(idx < 0, idx + self.n_obs, idx)
        if len(idx) and (idx.min() < 0 or idx.max() >= self.n_obs):
            raise IndexError(f"batch index out of range for {self.n_obs} observations")
        order = np.argsort(idx, kind="stable")
        sorted_idx = idx[order]
        stores = np.searchsorted(self.offsets, sorted_idx, side="right") - 1
        if self._block_size:
            from ._blocks import block_batch

            batch = block_batch(self, len(idx), order, sorted_idx, stores)
            batch.update(self.labels.batch(idx))
            batch["_store_idx"] = np.searchsorted(self.offsets, idx, side="right") - 1
            return batch
        out: dict[str, np.ndarray] = {}
        bounds = [0, *(np.flatnonzero(np.diff(stores)) + 1).tolist(), len(idx)]
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            if lo == hi:
                continue
            store = int(stores[lo])
            rows = sorted_idx[lo:hi] - self.offsets[store]  # sorted, possibly repeated
            kept = self._rows[store]
            if kept is not None:
                rows = kept[rows]
            targets = order[lo:hi]
            for name, matrix in self._file(store).arrays.items():
                self._fill(out, name, matrix, store, rows, targets, len(idx))
        out.update(self.labels.batch(idx))
        out["_store_idx"] = np.searchsorted(self.offsets, idx, side="right") - 1
        return out

    def _fill(self, out: dict[str, np.ndarray], name: str, matrix: Any, store: int, rows: np.ndarray,
              targets: np.ndarray, n: int) -> None:
        """Write ``rows`` of one file's ``matrix`` into ``out[name]`` at ``targets`` (aligned to the joint genes)."""
        is_obsm = _unaligned(name)
        col_map = None if is_obsm else self._col_maps[store]
        if isinstance(matrix, _store._CSR):
            owner, cols, vals = matrix.entries(rows)
            width = matrix.n_cols if is_obsm or self.join is None else self.n_vars
            dest = self._dest(out, name, n, width, self.dtype or vals.dtype, zeros=True)
            if col_map is not None:
                cols = col_map[cols]
                keep = cols >= 0
                owner, cols, vals = owner[keep], cols[keep], vals[keep]
            dest.reshape(-1)[targets[owner] * width + cols] = vals  # flat put: cheaper than 2-D fancy indexing
            return
        block = matrix.rows(rows)
        if block.ndim == 1:
            block = block[:, None]
        if not is_obsm:
            block = self._align(block, col_map)
        self._dest(out, name, n, block.shape[1], block.dtype)[targets] = block

    @staticmethod
    def _dest(out: dict[str, np.ndarray], name: str, n: int, width: int, dtype: Any, zeros: bool = True) -> np.ndarray:
        """The batch array ``out[name]``; zeros unless every row is about to be written whole (``zeros=False``)."""
        dest = out.get(name)
        if dest is None:
            # a batch may mix dense files with sparse ones, whose rows are only scattered: start from zeros
            dest = out[name] = np.zeros((n, width), dtype=dtype) if zeros else np.empty((n, width), dtype=dtype)
        elif dest.shape[1] != width:
            raise InvalidArgument(f"files differ in {name} width; use join='inner' or 'outer'")
        return dest

    @staticmethod
    def collate_fn(batch: list[dict[str, Any]]) -> dict[str, Any]:
        """A DataLoader ``collate_fn`` that turns a batch into torch tensors without per-item work.

        >>> DataLoader(dataset, batch_size=256, shuffle=True, collate_fn=dataset.collate_fn)  # doctest: +SKIP
        """
        import torch

        arrays = batch.arrays if isinstance(batch, _Batch) else {
            key: np.stack([np.asarray(item[key]) for item in batch]) for key in batch[0]}
        return {key: torch.from_numpy(value) if value.dtype != object else list(value) for key, value in arrays.items()}

    def block_sampler(self, batch_size: int = 256, block_size: int = 256, buffer_size: int = 4096,
                      seed: int | None = None, drop_last: bool = False, num_workers: int = 0) -> Any:
        """A batch sampler of random contiguous blocks shuffled in a buffer; see ``BlockSampler``.

        Also switches this dataset into block mode (see ``_blocks``): each block is read once and
        batches are gathered from memory. Pass the DataLoader's ``num_workers`` so that each worker
        gets batches from its own blocks.

        >>> loader = DataLoader(ds, batch_sampler=ds.block_sampler(num_workers=4), num_workers=4,
        ...                     collate_fn=ds.collate_fn)  # doctest: +SKIP
        """
        from ._sampler import BlockSampler

        if self.obs_filter:
            raise InvalidArgument("block_sampler() reads contiguous blocks and does not combine with obs_filter; "
                                  "filter the files first or sample with a WeightedRandomSampler")
        sampler = BlockSampler(self.offsets, batch_size=batch_size, block_size=block_size, buffer_size=buffer_size,
                               seed=seed, drop_last=drop_last, num_workers=num_workers)
        self.set_block_mode(block_size, buffer_size)
        return sampler

    def set_block_mode(self, block_size: int | None, buffer_size: int = 4096) -> None:
        """Read whole ``block_size``-row blocks and cache two buffers' worth of them (None: exact row reads)."""
        self._block_size = int(block_size or 0)
        self._block_capacity = 2 * max(1, buffer_size // max(1, self._block_size)) + 2
        self._block_cache = None

    def __repr__(self) -> str:
        return (f"MappedCollection({len(self.paths)} files, n_obs={self.n_obs}, n_vars={self.n_vars}, "
                f"join={self.join!r}, obs_keys={self.obs_keys})")


class _Batch(Sequence[dict[str, Any]]):
    """One batch: ``arrays`` (stacked, what :meth:`MappedCollection.collate_fn` uses) and, on access, one dict
    per item (what DataLoader's default collate iterates over)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self._items: list[dict[str, Any]] | None = None

    def __len__(self) -> int:
        return len(self.arrays["_store_idx"])

    def __getitem__(self, i: Any) -> Any:
        if self._items is None:  # built once, on first access
            names = list(self.arrays)
            self._items = [dict(zip(names, values)) for values in zip(*(self.arrays[n] for n in names))]
        return self._items[i]


def _unaligned(name: str) -> bool:
    """obsm arrays and ``raw.X`` have their own columns: they are not aligned to the joined variables."""
    return name.startswith("obsm_") or name.startswith("raw.")


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
