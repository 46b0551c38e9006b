"""The index plan of the training loader: which chunks to read together and which cells make each batch.

A training store (see ``_training_store``) holds its cells preshuffled in chunks of consecutive rows. One
*round* reads ``preload_chunks`` chunks (one contiguous decode each), pools their cells with the cells left
over from the round before, shuffles the pool and cuts it into batches; what does not fill a batch is
carried into the next round. Because the store is shuffled when written, each chunk already holds cells
from every source file, and a batch draws from about ``min(batch_size, preload_chunks)`` chunks.

Modes (all deterministic for a given ``seed`` and epoch):

- **epoch** (default): every selected cell exactly once per epoch. With ``world_size > 1`` all ranks
  shuffle the chunk order with the same seed and rank ``r`` takes the ``r``-th contiguous share of the
  resulting cell sequence, so the ranks together cover every cell once; their cell counts differ by at
  most one (``drop_last=True`` gives every rank the same number of full batches).
- **with replacement** (``replacement=True`` or ``weights``): ``num_samples`` draws per epoch and rank,
  cell ``i`` drawn with probability ``weights[i] / sum(weights)`` (uniform without weights). A round picks
  ``preload_chunks`` chunks with probability proportional to their summed weight, then draws cells inside
  each picked chunk proportional to their weight, which makes the overall probability exactly that.
- ``mask`` (boolean per cell) restricts either mode to a subset, e.g. a train or validation split.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..errors import InvalidArgument


class Round(tuple):
    """``(chunks, batches, carry)``: the chunk ids to read, the cell ids of each batch drawn from them (and
    from the carry of the round before), and the cells left over for the next round."""

    @property
    def chunks(self) -> np.ndarray:
        return self[0]

    @property
    def batches(self) -> list[np.ndarray]:
        return self[1]

    @property
    def carry(self) -> np.ndarray:
        return self[2]


class ChunkSampler:
    """Batches of cell ids planned chunk by chunk; iterate for the batches, or :meth:`rounds` for the reads.

    ``chunk_starts``: the first cell of each chunk, then the number of cells (``[0, 512, 1024, ..., n]``).
    Call :meth:`set_epoch` each epoch for a new (reproducible) order.
    """

    def __init__(self, chunk_starts: np.ndarray, batch_size: int = 256, preload_chunks: int = 32,
                 shuffle: bool = True, seed: int | None = None, rank: int = 0, world_size: int = 1,
                 mask: np.ndarray | None = None, weights: np.ndarray | None = None, replacement: bool = False,
                 num_samples: int | None = None, drop_last: bool = False) -> None:
        self.chunk_starts = np.asarray(chunk_starts, dtype=np.int64)
        self.n_cells = int(self.chunk_starts[-1])
        if min(batch_size, preload_chunks) < 1:
            raise InvalidArgument("batch_size and preload_chunks must be positive")
        if world_size < 1 or not 0 <= rank < world_size:
            raise InvalidArgument(f"rank must be in 0..world_size-1, got rank={rank}, world_size={world_size}")
        if world_size > 1 and seed is None and (shuffle or weights is not None or replacement):
            raise InvalidArgument("with world_size > 1 pass a seed: every rank must shuffle the chunks the same way")
        self.batch_size, self.preload_chunks, self.shuffle = batch_size, preload_chunks, shuffle
        self.seed, self.rank, self.world_size, self.drop_last, self.epoch = seed, rank, world_size, drop_last, 0
        self.mask = None if mask is None else _as_mask(mask, self.n_cells)
        self.replacement = replacement or weights is not None
        self.weights: np.ndarray | None = None  # set exactly when drawing with replacement
        if weights is not None or self.replacement:
            w = np.ones(self.n_cells) if weights is None else np.asarray(weights, dtype=np.float64)
            if w.shape != (self.n_cells,) or not np.all(np.isfinite(w)) or np.any(w < 0):
                raise InvalidArgument(f"weights must be {self.n_cells} finite, non-negative numbers (one per cell)")
            if self.mask is not None:
                w = np.where(self.mask, w, 0.0)
            if w.sum() <= 0:
                raise InvalidArgument("the weights of the selected cells sum to zero: nothing to draw")
            self.weights = w
        n_selected = self.n_cells if self.mask is None else int(self.mask.sum())
        self.num_samples = int(num_samples) if num_samples is not None else -(-n_selected // world_size)
        if self.num_samples < 0:
            raise InvalidArgument("num_samples must not be negative")

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _rng(self, per_rank: bool) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng()
        key = [self.seed, self.epoch] + ([self.rank] if per_rank else [])
        return np.random.default_rng(key)

    # -- sizes -----------------------------------------------------------------------------
    def _share(self, rank: int) -> int:
        """How many cells ``rank`` gets in epoch mode."""
        n = self.n_cells if self.mask is None else int(self.mask.sum())
        return (n * (rank + 1)) // self.world_size - (n * rank) // self.world_size

    def _n_batches(self, n: int) -> int:
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __len__(self) -> int:
        """Batches per epoch on this rank."""
        if self.replacement:
            return self._n_batches(self.num_samples)
        if self.drop_last:  # the same on every rank
            return min(self._n_batches(self._share(r)) for r in range(self.world_size))
        return self._n_batches(self._share(self.rank))

    def __iter__(self) -> Iterator[np.ndarray]:
        for plan in self.rounds():
            yield from plan.batches

    # -- plans -----------------------------------------------------------------------------
    def rounds(self) -> Iterator[Round]:
        """The epoch as rounds: the chunks each round reads and the batches cut from them."""
        pieces = self._epoch_pieces() if self.weights is None else self._weighted_pieces(self.weights)
        limit = len(self)
        rng = self._rng(per_rank=True)
        carry = np.zeros(0, dtype=np.int64)
        done = 0
        for chunks, cells in pieces:
            pool = np.concatenate([carry, cells])
            if self.shuffle:
                rng.shuffle(pool)
            n_full = min(len(pool) // self.batch_size, limit - done)
            batches = [pool[k * self.batch_size:(k + 1) * self.batch_size] for k in range(n_full)]
            carry = pool[n_full * self.batch_size:]
            done += n_full
            yield Round((chunks, batches, carry))
            if done >= limit:
                return
        if len(carry) and done < limit:
            yield Round((np.zeros(0, dtype=np.int64), [carry], carry[:0]))

    def _chunk_cells(self, chunk: int) -> np.ndarray:
        cells = np.arange(self.chunk_starts[chunk], self.chunk_starts[chunk + 1], dtype=np.int64)
        return cells if self.mask is None else cells[self.mask[cells]]

    def _epoch_pieces(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(chunk ids, cell ids)`` per round: this rank's share of the epoch, ``preload_chunks`` chunks at a time."""
        n_chunks = len(self.chunk_starts) - 1
        order = self._rng(per_rank=False).permutation(n_chunks) if self.shuffle else np.arange(n_chunks)
        counts = np.diff(self.chunk_starts)
        if self.mask is not None and n_chunks:
            counts = np.where(counts > 0, np.add.reduceat(self.mask.astype(np.int64), self.chunk_starts[:-1]), 0)
        counts = counts[order]
        n = int(counts.sum())
        lo, hi = (n * self.rank) // self.world_size, (n * (self.rank + 1)) // self.world_size
        ends = np.cumsum(counts)
        begins = ends - counts
        mine = np.flatnonzero((ends > lo) & (begins < hi) & (counts > 0))  # positions in ``order`` this rank reads
        for first in range(0, len(mine), self.preload_chunks):
            group = mine[first:first + self.preload_chunks]
            parts = []
            for pos in group:
                cells = self._chunk_cells(int(order[pos]))
                a, b = max(lo - int(begins[pos]), 0), min(hi - int(begins[pos]), len(cells))
                parts.append(cells[a:b])
            yield order[group].astype(np.int64), np.concatenate(parts)

    def _weighted_pieces(self, weights: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Rounds of draws with replacement: chunks by summed weight, then cells by weight inside each chunk."""
        rng = self._rng(per_rank=True)
        starts = self.chunk_starts
        chunk_weight = np.add.reduceat(weights, starts[:-1]) if len(starts) > 1 else np.zeros(0)
        chunk_weight = np.where(np.diff(starts) > 0, chunk_weight, 0.0)
        p_chunk = chunk_weight / chunk_weight.sum()
        per_round = self.preload_chunks * max(1, int(np.diff(starts).max(initial=1)))
        remaining = self.num_samples
        while remaining > 0:
            draws = min(per_round, remaining)
            slots = rng.choice(len(p_chunk), size=self.preload_chunks, p=p_chunk)
            # each draw picks one of the slots uniformly, then a cell inside that slot's chunk by weight
            per_slot = np.bincount(rng.integers(0, len(slots), draws), minlength=len(slots))
            parts = []
            for chunk, k in zip(slots.tolist(), per_slot.tolist()):
                if k:
                    lo, hi = int(starts[chunk]), int(starts[chunk + 1])
                    w = weights[lo:hi]
                    parts.append(lo + rng.choice(hi - lo, size=k, p=w / w.sum()))
            remaining -= draws
            yield np.unique(slots).astype(np.int64), np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _as_mask(mask: np.ndarray, n: int) -> np.ndarray:
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != (n,):
        raise InvalidArgument(f"mask must be a boolean array with one value per cell ({n}), got {mask.dtype} {mask.shape}")
    return mask


def label_weights(codes: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Per-cell weights ``1 / (selected cells with the same label)``: every label is drawn equally often."""
    values, inverse, counts = np.unique(np.asarray(codes), return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    if mask is not None:
        counts = np.bincount(inverse[mask], minlength=len(values))
    per_label = np.where(counts > 0, 1.0 / np.maximum(counts, 1), 0.0)
    return per_label[inverse]
