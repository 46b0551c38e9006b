"""Iterating a training store: decode a round's chunks, gather its cells in batch order, cut the batches.

Per round (see ``ChunkSampler``) the loader decodes each chunk once and copies the chunks (and the cells
carried over from the round before) into a :class:`RoundBuffer`, whose arrays are reused from round to
round. CSR cells are then gathered in batch order with one call to scipy's compiled row indexing (each
cell's entries are one contiguous run), and a dense batch is made from its own CSR rows: only a
batch-sized array is ever filled with zeros, where densifying the whole round first wrote over 100 MB out
of cache. Dense stores gather each batch's rows straight from the buffer. Every batch is a fresh array:
keeping one never keeps a round, or the reused buffer, alive.

>>> loader = store.loader(batch_size=256, seed=0, obs_keys="cell_type")  # doctest: +SKIP
>>> batch = next(iter(loader)); batch["X"].shape                        # doctest: +SKIP
torch.Size([256, 2000])
"""

from __future__ import annotations

import copy
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np


class Buffer:
    """Decoded cells: ``ids`` (store rows) and either ``values`` (dense) or ``indptr, indices, data`` (CSR)."""

    def __init__(self, ids: np.ndarray, values: np.ndarray | None = None, indptr: np.ndarray | None = None,
                 indices: np.ndarray | None = None, data: np.ndarray | None = None) -> None:
        self.ids, self.values, self.indptr, self.indices, self.data = ids, values, indptr, indices, data

    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(indptr, indices, data)`` of CSR cells."""
        if self.indptr is None or self.indices is None or self.data is None:
            raise RuntimeError("training loader: dense cells have no CSR parts")  # a bug, not input
        return self.indptr, self.indices, self.data

    @classmethod
    def of_chunk(cls, store: Any, c: int) -> Buffer:
        ids = np.arange(store.chunk_starts[c], store.chunk_starts[c + 1], dtype=np.int64)
        parts = store.read_chunk(c)
        return cls(ids, values=parts[0]) if store.layout == "dense" else cls(ids, None, *parts)

    def slice(self, lo: int, hi: int, copy: bool = True) -> Buffer:
        """Rows ``lo:hi``; ``copy``: as copies, so that what a caller keeps never keeps all the rows alive."""
        if self.values is not None:
            values = self.values[lo:hi]
            return Buffer(self.ids[lo:hi], values=values.copy() if copy else values)
        indptr, indices, data = self.csr()
        e0, e1 = int(indptr[lo]), int(indptr[hi])
        indices, data = indices[e0:e1], data[e0:e1]
        return Buffer(self.ids[lo:hi], None, indptr[lo:hi + 1] - e0, *((indices.copy(), data.copy()) if copy else (indices, data)))

    def to_numpy(self, n_vars: int) -> Any:
        """Dense rows as they are; CSR rows as a scipy CSR matrix."""
        if self.values is not None:
            return self.values
        import scipy.sparse as sp

        indptr, indices, data = self.csr()
        return sp.csr_matrix((data, indices.astype(np.int32, copy=False), indptr), shape=(len(self.ids), n_vars))


def _worker() -> tuple[int, int] | None:
    """``(worker id, number of workers)`` inside a torch DataLoader worker, else None."""
    data = sys.modules.get("torch.utils.data")
    info = data.get_worker_info() if data is not None else None
    return None if info is None else (info.id, info.num_workers)


def densify(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, n_vars: int) -> np.ndarray:
    """CSR rows (``indptr`` relative to ``data``) as a fresh dense array (scipy's compiled loop).

    >>> densify(np.array([0, 1, 3]), np.array([2, 0, 1]), np.array([5.0, 6.0, 7.0], np.float32), 3)
    array([[0., 0., 5.],
           [6., 7., 0.]], dtype=float32)
    """
    import scipy.sparse as sp

    return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n_vars)).toarray()


class RoundBuffer:
    """One round's cells, copied into arrays that are reused from round to round.

    Each round would otherwise allocate and free tens of MB (the joined chunks), and the C allocator hands
    such blocks back to the system and maps them again each time, page by page: that cost about a third
    of the loader's time. :meth:`take` copies rows out, so nothing handed to a caller points into the
    buffer.
    """

    def __init__(self, store: Any) -> None:
        self.layout, self.n_vars = store.layout, store.n_vars
        self.dtype = np.dtype(store.attrs.get("dtype", "float32"))
        self.ids = np.zeros(0, dtype=np.int64)
        self._arrays: dict[str, np.ndarray] = {}
        self._matrix: Any = None

    def _room(self, name: str, n: int, dtype: Any, width: int = 0) -> np.ndarray:
        """The reused array ``name`` with room for ``n`` rows (grown by half again when too small)."""
        have = self._arrays.get(name)
        if have is None or len(have) < n:
            shape = (n + n // 2, width) if width else (n + n // 2,)
            have = self._arrays[name] = np.empty(shape, dtype=dtype)
        return have[:n]

    def fill(self, parts: list[Buffer]) -> None:
        """Make ``parts`` (decoded chunks and the carried cells) this round's cells, in that order."""
        self.ids = np.concatenate([p.ids for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        if self.layout == "dense":
            values = self._room("values", len(self.ids), self.dtype, self.n_vars)
            at = 0
            for p in parts:
                values[at:at + len(p.ids)] = p.values
                at += len(p.ids)
            return
        import scipy.sparse as sp

        csr = [p.csr() for p in parts]
        nnz = sum(len(c[1]) for c in csr)
        indptr = np.zeros(len(self.ids) + 1, dtype=np.int64)
        if csr:
            np.cumsum(np.concatenate([np.diff(c[0]) for c in csr]), out=indptr[1:])
        indices, data = self._room("indices", nnz, np.int32), self._room("data", nnz, self.dtype)
        at = 0
        for c in csr:
            k = len(c[1])
            indices[at:at + k] = c[1]  # uint16 columns widen to int32 (scipy's index type) in the copy
            data[at:at + k] = c[2]
            at += k
        self._matrix = sp.csr_matrix((data, indices, indptr), shape=(len(self.ids), self.n_vars), copy=False)

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Where each of ``ids`` sits in this buffer, for parts filled in store order (each must be present)."""
        found = np.minimum(np.searchsorted(self.ids, ids), max(len(self.ids) - 1, 0))
        if len(ids) and not np.array_equal(self.ids[found], ids):
            raise RuntimeError("training loader: a planned cell is missing from the decoded buffer")  # a bug, not input
        return found

    def take(self, pos: np.ndarray) -> Buffer:
        """Copies of the rows at ``pos``, in that order (a row may repeat); CSR rows are copied whole by scipy."""
        if self.layout == "dense":
            return Buffer(self.ids[pos], values=self._arrays["values"].take(pos, axis=0))
        rows = self._matrix[pos]
        return Buffer(self.ids[pos], None, rows.indptr, rows.indices, rows.data)


class TrainingLoader:
    """Batches of a :class:`TrainingStore` planned by a :class:`ChunkSampler`; iterate it once per epoch."""

    def __init__(self, store: Any, sampler: Any, obs_keys: list[str], sparse: bool = False, to_torch: bool = True) -> None:
        self.store, self.sampler, self.obs_keys = store, sampler, obs_keys
        self.sparse, self.to_torch = sparse, to_torch
        self._labels = {key: store.obs[key].astype(np.int64) for key in obs_keys}

    def __len__(self) -> int:
        return len(self.sampler)

    def set_epoch(self, epoch: int) -> None:
        self.sampler.set_epoch(epoch)

    def dataloader(self, num_workers: int = 2, **kwargs: Any) -> Any:
        """A ``torch.utils.data.DataLoader`` that runs this loader in ``num_workers`` worker processes.

        Each worker takes its own contiguous share of this rank's epoch (as if it were one more rank),
        so every cell is still delivered once per epoch; batches arrive interleaved across workers.
        ``kwargs`` go to DataLoader (``pin_memory=True``, ``persistent_workers=True``, ...). Call
        ``set_epoch`` on this loader, not on the DataLoader, before each epoch (with persistent workers,
        make a new DataLoader per epoch instead).

        >>> for batch in store.loader(batch_size=256, seed=0).dataloader(num_workers=4):  # doctest: +SKIP
        ...     ...
        """
        from torch.utils.data import DataLoader, IterableDataset

        if self.sampler.seed is None:  # every worker must plan the same epoch
            self.sampler.seed = int(np.random.default_rng().integers(2**31))

        class _Workers(IterableDataset):
            def __init__(self, loader: TrainingLoader) -> None:
                self.loader = loader

            def __iter__(self) -> Iterator[dict[str, Any]]:
                return iter(self.loader)

        return DataLoader(_Workers(self), batch_size=None, num_workers=num_workers, **kwargs)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        sampler = self.sampler
        worker = _worker()
        if worker is not None and worker[1] > 1:  # in a DataLoader worker: this worker's share of the epoch
            wid, n_workers = worker
            sampler = copy.copy(sampler)
            sampler.rank, sampler.world_size = sampler.rank * n_workers + wid, sampler.world_size * n_workers
            if sampler.replacement:
                sampler.num_samples = -(-sampler.num_samples // n_workers)
        return self._batches(sampler)

    def _batches(self, sampler: Any) -> Iterator[dict[str, Any]]:
        store = self.store
        where = np.full(store.n_obs, -1, dtype=np.int64)  # a cell's row in this round's buffer
        round_ = RoundBuffer(store)
        carry: Buffer | None = None
        for plan in sampler.rounds():
            parts = [carry] if carry is not None else []
            parts += [Buffer.of_chunk(store, int(c)) for c in plan.chunks]
            round_.fill(parts)
            where[round_.ids] = np.arange(len(round_.ids))
            carry = round_.take(where[plan.carry]) if len(plan.carry) else None  # a copy: the buffer is reused
            if store.layout == "dense":  # a batch's rows straight from the buffer, into a fresh array
                for ids in plan.batches:
                    yield self._batch(ids, round_.take(where[ids]))
                continue
            wanted = np.concatenate(plan.batches) if plan.batches else np.zeros(0, dtype=np.int64)
            gathered = round_.take(where[wanted])  # CSR: the round's cells in batch order, in one scipy call
            at = 0
            for ids in plan.batches:
                yield self._batch(ids, gathered.slice(at, at + len(ids), copy=self.sparse))
                at += len(ids)

    def _batch(self, ids: np.ndarray, rows: Buffer) -> dict[str, Any]:
        n_vars = self.store.n_vars
        x: Any
        if rows.values is not None:
            x = rows.values
        elif self.sparse:
            x = rows.csr()
        else:
            x = densify(*rows.csr(), n_vars)
        out: dict[str, Any] = {key: codes[ids] for key, codes in self._labels.items()}
        out["index"] = ids
        if not self.to_torch:
            if isinstance(x, tuple):
                import scipy.sparse as sp

                x = sp.csr_matrix((x[2], x[1].astype(np.int32, copy=False), x[0]), shape=(len(ids), n_vars))
            out["X"] = x
            return out
        import torch

        if isinstance(x, tuple):
            crow, col, val = x
            with warnings.catch_warnings():  # torch calls sparse CSR tensors "beta" on every first use
                warnings.simplefilter("ignore", UserWarning)
                out["X"] = torch.sparse_csr_tensor(torch.from_numpy(crow.astype(np.int64)), torch.from_numpy(col.astype(np.int64)),
                                                   torch.from_numpy(val), size=(len(ids), n_vars), check_invariants=False)
        else:
            out["X"] = torch.from_numpy(x)
        for key in [*self._labels, "index"]:
            out[key] = torch.from_numpy(out[key])
        return out
