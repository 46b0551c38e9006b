"""Block sampling for training: random contiguous blocks, shuffled together in a buffer.

Reading cell i, i+1, ..., i+255 of one file is one sequential read; reading 256 random cells is 256
seeks. The sampler draws blocks of ``block_size`` consecutive cells (never crossing a file boundary) in
random order, pools ``buffer_size // block_size`` of them, shuffles the pooled indices and cuts them into
batches. Every cell is visited exactly once per epoch.

With ``num_workers=W`` the blocks are dealt to W interleaved streams, one per DataLoader worker.

Shuffle quality: a batch of 256 from a 4,096-cell buffer mixes 16 blocks, each contributing about 16
cells, so within-batch correlation is that of 16 random places in the data rather than 256. Indices
inside a batch come sorted (the batch's membership is random; its internal order carries no signal
for SGD), which lets the dataset copy each block's rows straight into the batch. With
``block_size=1`` this is an exact uniform shuffle; ``benchmarks/bench_loader.py`` prints the measured
number of distinct blocks and files per batch for both.

>>> sampler = dataset.block_sampler(batch_size=256, seed=0)          # doctest: +SKIP
>>> loader = DataLoader(dataset, batch_sampler=sampler, num_workers=2)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..errors import InvalidArgument


class BlockSampler:
    """A batch sampler (``DataLoader(batch_sampler=...)``) of shuffled contiguous blocks.

    ``offsets`` are the cumulative cell counts of the files (``[0, n_0, n_0 + n_1, ...]``).
    Call ``set_epoch(e)`` for a different, reproducible order each epoch when ``seed`` is set.
    """

    def __init__(self, offsets: Sequence[int] | np.ndarray, batch_size: int = 256, block_size: int = 256,
                 buffer_size: int = 4096, seed: int | None = None, drop_last: bool = False,
                 num_workers: int = 0) -> None:
        if min(batch_size, block_size, buffer_size) < 1:
            raise InvalidArgument("batch_size, block_size and buffer_size must be positive")
        if buffer_size < block_size:
            raise InvalidArgument(f"buffer_size ({buffer_size}) must be at least block_size ({block_size})")
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.n_obs = int(self.offsets[-1])
        self.batch_size, self.block_size, self.buffer_size = batch_size, block_size, buffer_size
        self.seed, self.drop_last, self.epoch = seed, drop_last, 0
        self.streams = max(1, num_workers)
        starts = [np.arange(lo, hi, block_size) for lo, hi in zip(self.offsets[:-1], self.offsets[1:])]
        self._starts = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
        self._stops = np.minimum(self._starts + block_size, np.repeat(self.offsets[1:], [len(s) for s in starts]))

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        total = 0
        for s in range(self.streams):  # each worker's stream ends with its own partial batch
            rows = int((self._stops[s::self.streams] - self._starts[s::self.streams]).sum())
            total += rows // self.batch_size if self.drop_last else -(-rows // self.batch_size)
        return total

    def __iter__(self) -> Iterator[list[int]]:
        seed = None if self.seed is None else self.seed + self.epoch
        rng = np.random.default_rng(seed)
        # one stream of buffers per DataLoader worker (blocks s, s + workers, ...), interleaved: batch k
        # goes to worker k % workers, so each worker reads only its own blocks
        n_blocks = len(self._starts)
        streams = [self._stream(rng.permutation(np.arange(s, n_blocks, self.streams)), rng) for s in range(self.streams)]
        while streams:
            for stream in list(streams):
                batch = next(stream, None)
                if batch is None:
                    streams.remove(stream)
                else:
                    yield batch

    def _stream(self, blocks: np.ndarray, rng: np.random.Generator) -> Iterator[list[int]]:
        per_buffer = max(1, self.buffer_size // self.block_size)
        carry = np.zeros(0, dtype=np.int64)
        for first in range(0, len(blocks), per_buffer):
            chosen = blocks[first:first + per_buffer]
            pooled = np.concatenate([np.arange(self._starts[b], self._stops[b]) for b in chosen])
            rng.shuffle(pooled)
            stream = np.concatenate([carry, pooled])
            n_full = len(stream) // self.batch_size
            for k in range(n_full):  # sorted inside the batch: which cells, not their order, is random
                yield np.sort(stream[k * self.batch_size:(k + 1) * self.batch_size]).tolist()
            carry = stream[n_full * self.batch_size:]
        if len(carry) and not self.drop_last:
            yield np.sort(carry).tolist()
