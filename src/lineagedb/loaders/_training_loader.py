"""Iterating a training store: decode a round's chunks, place every cell in its batch row, slice the batches.

Per round (see ``ChunkSampler``) the loader decodes each chunk once and, for dense batches, scatters each
decoded chunk (and the cells carried over from the round before) straight into its batch rows of one
round-sized array that is reused from round to round; each batch is copied out of it (a fresh array per
batch comes from the heap; a fresh round-sized one would page-fault on every 4 KB). Sparse batches, and
rounds that draw a cell twice (with replacement), gather the round's rows instead and slice them.
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
        self._order: np.ndarray | None = None

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

    @classmethod
    def concat(cls, parts: list[Buffer], layout: str) -> Buffer:
        parts = [p for p in parts if len(p.ids)]
        if len(parts) == 1:
            return parts[0]
        ids = np.concatenate([p.ids for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        if layout == "dense":
            return cls(ids, values=np.concatenate([p.values for p in parts]) if parts else np.zeros((0, 0), np.float32))
        if not parts:
            return cls(ids, None, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        csr = [p.csr() for p in parts]
        lengths = np.concatenate([np.diff(c[0]) for c in csr])
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return cls(ids, None, indptr, np.concatenate([c[1] for c in csr]), np.concatenate([c[2] for c in csr]))

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Where each of ``ids`` sits in this buffer (each must be present)."""
        if self._order is None:
            self._order = np.argsort(self.ids, kind="stable")
        found = self._order[np.searchsorted(self.ids, ids, sorter=self._order)]
        if len(ids) and not np.array_equal(self.ids[found], ids):
            raise RuntimeError("training loader: a planned cell is missing from the decoded buffer")  # a bug, not input
        return found

    def take(self, pos: np.ndarray) -> Buffer:
        """The rows at ``pos``, in that order (one gather)."""
        if self.values is not None:
            return Buffer(self.ids[pos], values=self.values.take(pos, axis=0))
        old_indptr, indices, data = self.csr()
        starts, lengths = old_indptr[pos], old_indptr[pos + 1] - old_indptr[pos]
        indptr = np.zeros(len(pos) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        elem = np.repeat(starts - indptr[:-1], lengths) + np.arange(int(indptr[-1]), dtype=np.int64)
        return Buffer(self.ids[pos], None, indptr, indices.take(elem), data.take(elem))

    def to_numpy(self, n_vars: int) -> Any:
        """Dense rows as they are; CSR rows as a scipy CSR matrix."""
        if self.values is not None:
            return self.values
        import scipy.sparse as sp

        indptr, indices, data = self.csr()
        return sp.csr_matrix((data, indices.astype(np.int32), indptr), shape=(len(self.ids), n_vars))


def _worker() -> tuple[int, int] | None:
    """``(worker id, number of workers)`` inside a torch DataLoader worker, else None."""
    data = sys.modules.get("torch.utils.data")
    info = data.get_worker_info() if data is not None else None
    return None if info is None else (info.id, info.num_workers)


def densify(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, n_vars: int) -> np.ndarray:
    """CSR rows (``indptr`` relative to ``data``) as a dense array, in one scatter."""
    n = len(indptr) - 1
    out = np.zeros((n, n_vars), dtype=data.dtype)
    owner = np.repeat(np.arange(n, dtype=np.int64) * n_vars, np.diff(indptr))
    owner += indices
    out.reshape(-1)[owner] = data
    return out


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
        carry: Buffer | None = None
        scratch: np.ndarray | None = None  # the round's dense rows, reused; all zeros between rounds
        for plan in sampler.rounds():
            parts = [carry] if carry is not None else []
            parts += [Buffer.of_chunk(store, int(c)) for c in plan.chunks]
            offsets = np.cumsum([0] + [len(p.ids) for p in parts])
            for part, at in zip(parts, offsets[:-1]):
                where[part.ids] = np.arange(at, at + len(part.ids))
            wanted = np.concatenate(plan.batches) if plan.batches else np.zeros(0, dtype=np.int64)
            pos = where[wanted]
            is_carry = np.zeros(offsets[-1], dtype=bool)
            is_carry[where[plan.carry]] = True
            scattered = not self.sparse and len(np.unique(pos)) == len(pos)
            if scattered:
                # every cell goes to one batch row: scatter each part straight into the shuffled rows
                if scratch is None or len(scratch) <= len(pos):
                    scratch = np.zeros((len(pos) + 1, store.n_vars), dtype=store.attrs.get("dtype", "float32"))
                self._scatter(parts, offsets, pos, scratch)
                gathered = Buffer(wanted, values=scratch)
                rezero = scratch if store.layout == "csr" else None  # CSR cells scatter into zeros: restore them
            else:  # sparse batches, or a cell drawn twice: gather the rows
                gathered, rezero = Buffer.concat(parts, store.layout).take(pos), None
            kept = [p.take(np.flatnonzero(is_carry[a:a + len(p.ids)])) for p, a in zip(parts, offsets[:-1])]
            carry = Buffer.concat(kept, store.layout) if len(plan.carry) else None
            at = 0
            for ids in plan.batches:
                yield self._batch(gathered, at, at + len(ids), copy=scattered)
                if rezero is not None:
                    rezero[at:at + len(ids)] = 0  # back to zeros for the next round's scatter
                at += len(ids)
            if rezero is not None:
                rezero[len(pos)] = 0  # the spare row took the cells no batch wanted

    def _scatter(self, parts: list[Buffer], offsets: np.ndarray, pos: np.ndarray, out: np.ndarray) -> None:
        """Dense rows of the round in batch order into ``out`` (all zeros): buffer row ``pos[k]`` becomes row
        ``k``; rows no batch wants land in the spare row ``len(pos)``.

        ``out`` is reused from round to round and each batch is copied out of it: a fresh round-sized array
        would cost a page fault per 4 KB touched, more than the decoding itself.
        """
        n, n_vars = len(pos), self.store.n_vars
        target = np.full(offsets[-1], n, dtype=np.int64)
        target[pos] = np.arange(n)
        if self.store.layout == "dense":
            for part, at in zip(parts, offsets[:-1]):
                out[target[at:at + len(part.ids)]] = part.values
            return
        flat = out.reshape(-1)
        for part, at in zip(parts, offsets[:-1]):
            indptr, indices, data = part.csr()
            cells = np.repeat(target[at:at + len(part.ids)] * n_vars, np.diff(indptr))
            cells += indices
            flat[cells] = data

    def _batch(self, buf: Buffer, lo: int, hi: int, copy: bool = False) -> dict[str, Any]:
        ids = buf.ids[lo:hi]
        n_vars = self.store.n_vars
        if buf.values is not None:
            x: Any = buf.values[lo:hi].copy() if copy else buf.values[lo:hi]
        else:
            all_indptr, indices, data = buf.csr()
            e0, e1 = int(all_indptr[lo]), int(all_indptr[hi])
            indptr = all_indptr[lo:hi + 1] - e0
            if self.sparse:
                x = (indptr, indices[e0:e1], data[e0:e1])
            else:
                x = densify(indptr, indices[e0:e1], data[e0:e1], n_vars)
        out: dict[str, Any] = {key: codes[ids] for key, codes in self._labels.items()}
        out["index"] = ids
        if not self.to_torch:
            if isinstance(x, tuple):
                import scipy.sparse as sp

                x = sp.csr_matrix((x[2], x[1].astype(np.int32), x[0]), shape=(len(ids), n_vars))
            out["X"] = x
            return out
        import torch

        if isinstance(x, tuple):
            crow, col, val = x
            with warnings.catch_warnings():  # torch calls sparse CSR tensors "beta" on every first use
                warnings.simplefilter("ignore", UserWarning)
                out["X"] = torch.sparse_csr_tensor(torch.from_numpy(crow), torch.from_numpy(col.astype(np.int64)),
                                                   torch.from_numpy(val), size=(len(ids), n_vars), check_invariants=False)
        else:
            out["X"] = torch.from_numpy(x)
        for key in [*self._labels, "index"]:
            out[key] = torch.from_numpy(out[key])
        return out
