"""A training store: cells preshuffled once, kept in compressed chunks of consecutive rows in a zarr v3 group.

Layout (``<name>.zarr``, written by ``_training_write``; every array is a sharded zarr v3 array)::

    zarr.json            attributes["lineagedb_training_store"]: format, layout, chunk_size, n_cells,
                         var_names, obs categories, the source files (name, artifact uid, cells)
    X/data, X/indices    layout "csr": row c holds chunk c's stored values and gene columns, back to back
                         (chunk shape (1, width), ``width`` >= the chunk with the most entries)
    X/row_nnz            layout "csr": stored entries per cell (the chunk's CSR ``indptr`` is its cumsum)
    X/values             layout "dense": (n_cells, n_vars), chunk shape (chunk_size, n_vars)
    obs/<key>            int32 label codes (-1: missing), categories in the attributes
    obs/_source          int32 index into the attribute's list of source files
    obs/_source_row      int64 row of the cell in that source file

Chunk ``c`` is cells ``[c * chunk_size, (c + 1) * chunk_size)``: one chunk is one decode. Any zarr v3
reader can open the store; this module reads it faster by decoding the chunks straight out of the shard
files (the shard index, then one blosc or zstd frame per chunk) instead of going through zarr-python's
asynchronous machinery, which costs about a millisecond per read. Arrays whose codecs it does not know,
and stores that are not local folders, are read through zarr-python.
"""

from __future__ import annotations

import json
import mmap
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidArgument, StorageError

ATTRS = "lineagedb_training_store"
FORMAT = 1
_EMPTY = np.uint64(2**64 - 1)


class ShardedArray:
    """Inner chunks of one local zarr v3 array, decoded straight from its shard files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        meta = json.loads((folder / "zarr.json").read_text())
        self.shape = tuple(meta["shape"])
        self.dtype = np.dtype(meta["data_type"]).newbyteorder("<")
        self.fill = meta.get("fill_value") or 0
        self._shards: dict[tuple[int, ...], tuple[Any, np.ndarray] | None] = {}
        self._decode: Callable[[Any], bytes] | None = None  # None: zarr-python reads the chunks
        codecs = meta["codecs"]
        grid = tuple(meta["chunk_grid"]["configuration"]["chunk_shape"])
        encoding = meta.get("chunk_key_encoding", {"name": "default"})
        self._sep = encoding.get("configuration", {}).get("separator", "/")
        if len(codecs) == 1 and codecs[0]["name"] == "sharding_indexed":
            conf = codecs[0]["configuration"]
            self.chunk_shape = tuple(conf["chunk_shape"])
            self.shard_shape = grid
            self._decode = _decoder(conf["codecs"])
            index_ok = [c["name"] for c in conf.get("index_codecs", [])] in (["bytes", "crc32c"], ["bytes"])
            self._index_crc = 4 if conf.get("index_codecs", [{}])[-1].get("name") == "crc32c" else 0
            self._index_end = conf.get("index_location", "end") == "end"
            if not index_ok or encoding.get("name") != "default":
                self._decode = None
        else:
            self.chunk_shape = self.shard_shape = grid
        self._zarr: Any = None
        if self._decode is None:  # a layout this reader does not know: zarr-python reads it
            import zarr

            self._zarr = zarr.open_array(str(folder), mode="r")
        self.per_shard = tuple(s // c for s, c in zip(self.shard_shape, self.chunk_shape))

    def chunk(self, coords: tuple[int, ...]) -> np.ndarray:
        """The inner chunk at ``coords`` (in units of chunks), as a full ``chunk_shape`` array."""
        decode = self._decode
        if decode is None:
            sel = tuple(slice(i * c, (i + 1) * c) for i, c in zip(coords, self.chunk_shape))
            part = np.asarray(self._zarr[sel])
            if part.shape == self.chunk_shape:
                return part
            full = np.full(self.chunk_shape, self.fill, dtype=self.dtype)
            full[tuple(slice(0, n) for n in part.shape)] = part
            return full
        shard = tuple(i // p for i, p in zip(coords, self.per_shard))
        if shard not in self._shards:
            self._shards[shard] = self._open_shard(shard)
        found = self._shards[shard]
        if found is None:
            return np.full(self.chunk_shape, self.fill, dtype=self.dtype)
        buf, index = found
        within = np.ravel_multi_index(tuple(i % p for i, p in zip(coords, self.per_shard)), self.per_shard)
        offset, nbytes = index[within]
        if offset == _EMPTY:
            return np.full(self.chunk_shape, self.fill, dtype=self.dtype)
        raw = decode(buf[int(offset):int(offset) + int(nbytes)])
        return np.frombuffer(raw, dtype=self.dtype).reshape(self.chunk_shape)

    def _open_shard(self, shard: tuple[int, ...]) -> tuple[Any, np.ndarray] | None:
        path = self.folder / self._sep.join(["c", *map(str, shard)]) if self._sep == "/" else \
            self.folder / ("c" + self._sep + self._sep.join(map(str, shard)))
        try:
            with open(path, "rb") as fh:
                buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except FileNotFoundError:
            return None
        n = int(np.prod(self.per_shard))
        size = 16 * n
        at = len(buf) - size - self._index_crc if self._index_end else 0
        raw = buf[at:at + size]
        if self._index_crc:  # the index is checked once per shard; a damaged one would misplace every chunk
            import google_crc32c

            stored = int.from_bytes(buf[at + size:at + size + 4], "little")
            if google_crc32c.value(raw) != stored:
                raise StorageError(f"{path}: the shard index fails its crc32c checksum; the store is damaged, "
                                   "write it again (collection.to_training_store) or restore it from its source")
        index = np.frombuffer(raw, dtype="<u8").reshape(n, 2)
        return memoryview(buf), index

    def close(self) -> None:
        self._shards.clear()


def _decoder(codecs: list[dict]) -> Any:
    """A function bytes -> decoded bytes for ``[bytes(little), blosc | zstd]`` inner codecs, else None."""
    names = [c["name"] for c in codecs]
    if not names or names[0] != "bytes" or codecs[0].get("configuration", {}).get("endian", "little") != "little":
        return None
    if names[1:] == []:
        return bytes
    if names[1:] == ["blosc"]:
        from numcodecs import blosc

        blosc.set_nthreads(1)
        return blosc.decompress
    if names[1:] == ["zstd"]:
        from numcodecs import Zstd

        return Zstd().decode
    return None


class TrainingStore:
    """An opened training store (see the module docstring): chunks, labels, and :meth:`loader` for training.

    >>> store = TrainingStore(artifact.cache())                         # doctest: +SKIP
    >>> for batch in store.loader(batch_size=256, obs_keys="cell_type"):  # doctest: +SKIP
    ...     x, y = batch["X"], batch["cell_type"]
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        meta_file = self.path / "zarr.json"
        if not meta_file.exists():
            raise InvalidArgument(f"{self.path} is not a training store (no zarr.json); write one with "
                                  "collection.to_training_store(...) or lineagedb.loaders.write_training_store(...)")
        attrs = json.loads(meta_file.read_text()).get("attributes", {}).get(ATTRS)
        if attrs is None:
            raise InvalidArgument(f"{self.path} is a zarr group but not a lineagedb training store")
        if attrs.get("format") != FORMAT:
            raise InvalidArgument(f"{self.path}: training store format {attrs.get('format')} is not {FORMAT}; "
                                  "upgrade lineagedb or write the store again")
        self.attrs = attrs
        self.layout: str = attrs["layout"]
        self.chunk_size: int = int(attrs["chunk_size"])
        self.n_obs: int = int(attrs["n_cells"])
        self.var_names: list[str] = list(attrs["var_names"])
        self.categories: dict[str, list[Any]] = {k: list(v) for k, v in attrs["obs"].items()}
        self.sources: list[dict[str, Any]] = list(attrs["sources"])
        self.chunk_starts = np.minimum(np.arange(0, self.n_obs + self.chunk_size, self.chunk_size, dtype=np.int64),
                                       self.n_obs)
        if len(self.chunk_starts) > 1 and self.chunk_starts[-1] == self.chunk_starts[-2]:
            self.chunk_starts = self.chunk_starts[:-1]
        self.obs: dict[str, np.ndarray] = {}
        for key in [*self.categories, "_source", "_source_row"]:
            self.obs[key] = _read_all(self.path / "obs" / key) if self.n_obs else np.zeros(0, dtype=np.int64)
        self._arrays: dict[str, ShardedArray] | None = None
        self._pid = os.getpid()
        self.row_nnz: np.ndarray | None = None  # set for the CSR layout
        if self.layout == "csr":
            nnz = _read_all(self.path / "X" / "row_nnz") if self.n_obs else np.zeros(0)
            self.row_nnz = nnz.astype(np.int64)

    # -- structure ---------------------------------------------------------------------------
    @property
    def n_vars(self) -> int:
        return len(self.var_names)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_obs, self.n_vars)

    @property
    def n_chunks(self) -> int:
        return len(self.chunk_starts) - 1

    def __len__(self) -> int:
        return self.n_obs

    def __repr__(self) -> str:
        return (f"TrainingStore({self.path.name}: {self.n_obs} cells x {self.n_vars} genes, {self.layout}, "
                f"{self.n_chunks} chunks of {self.chunk_size}, {len(self.sources)} sources, obs {list(self.categories)})")

    def labels(self, key: str) -> np.ndarray:
        """One obs column, decoded to its labels (None where missing)."""
        codes = self._codes(key)
        cats = np.array([*self.categories[key], None], dtype=object)
        return cats[np.where(codes >= 0, codes, len(cats) - 1)]

    def _codes(self, key: str) -> np.ndarray:
        if key not in self.categories:
            raise InvalidArgument(f"obs key {key!r} is not in this training store; it holds {list(self.categories)}")
        return self.obs[key]

    def mask(self, **selection: Any) -> np.ndarray:
        """A boolean cell mask from labels: ``store.mask(donor=["d1", "d2"])`` (several keys: all must match)."""
        out = np.ones(self.n_obs, dtype=bool)
        for key, values in selection.items():
            values = [values] if isinstance(values, (str, int, float)) else list(values)
            cats = self.categories.get(key)
            if cats is None:
                raise InvalidArgument(f"obs key {key!r} is not in this training store; it holds {list(self.categories)}")
            unknown = [v for v in values if v not in cats]
            if unknown:
                raise InvalidArgument(f"{key!r} has no label(s) {unknown}; its labels are {cats[:20]}")
            codes = [cats.index(v) for v in values]
            out &= np.isin(self._codes(key), codes)
        return out

    def split(self, validation: float = 0.1, seed: int = 0, by: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(train_mask, validation_mask)``: a random ``validation`` fraction of the cells, or with ``by=key``
        of that obs key's labels (every cell of a label, e.g. a donor, on one side)."""
        if not 0 < validation < 1:
            raise InvalidArgument(f"validation must be a fraction between 0 and 1, got {validation}")
        rng = np.random.default_rng(seed)
        if by is None:
            val = np.zeros(self.n_obs, dtype=bool)
            val[rng.choice(self.n_obs, size=int(round(validation * self.n_obs)), replace=False)] = True
            return ~val, val
        codes = self._codes(by)
        labels = np.unique(codes)
        n_val = max(1, int(round(validation * len(labels))))
        if n_val >= len(labels):
            raise InvalidArgument(f"{by!r} has {len(labels)} label(s): too few to hold some out for validation")
        val = np.isin(codes, rng.choice(labels, size=n_val, replace=False))
        return ~val, val

    # -- reading -----------------------------------------------------------------------------
    def _array(self, name: str) -> ShardedArray:
        if self._arrays is None or self._pid != os.getpid():
            self._arrays, self._pid = {}, os.getpid()
        found = self._arrays.get(name)
        if found is None:
            found = self._arrays[name] = ShardedArray(self.path / "X" / name)
        return found

    def read_chunk(self, c: int) -> tuple[np.ndarray, ...]:
        """Chunk ``c``: ``(values,)`` for dense stores, ``(indptr, indices, data)`` for CSR stores."""
        lo, hi = int(self.chunk_starts[c]), int(self.chunk_starts[c + 1])
        if self.row_nnz is None:  # the dense layout
            values = self._array("values")
            return (values.chunk((c, 0))[: hi - lo],)
        lengths = self.row_nnz[lo:hi]
        indptr = np.zeros(hi - lo + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return (indptr, *(self._entries(name, c, int(indptr[-1])) for name in ("indices", "data")))

    def _entries(self, name: str, c: int, nnz: int) -> np.ndarray:
        array = self._array(name)
        width = array.chunk_shape[1]
        if nnz <= width:
            return array.chunk((c, 0))[0, :nnz]
        parts = [array.chunk((c, j))[0] for j in range(-(-nnz // width))]
        return np.concatenate(parts)[:nnz]

    def rows(self, idx: Any) -> Any:
        """Exact rows (store order) as a dense array (dense stores) or a scipy CSR matrix (CSR stores)."""
        from ._training_loader import Buffer, RoundBuffer

        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) and (idx.min() < 0 or idx.max() >= self.n_obs):
            raise IndexError(f"row index out of range for {self.n_obs} cells")
        chunks = np.unique(np.searchsorted(self.chunk_starts, idx, side="right") - 1)
        buffer = RoundBuffer(self)
        buffer.fill([Buffer.of_chunk(self, int(c)) for c in chunks])  # chunks in store order: ids ascending
        return buffer.take(buffer.positions(idx)).to_numpy(self.n_vars)

    def loader(self, batch_size: int = 256, preload_chunks: int = 32, shuffle: bool = True, seed: int | None = None,
               obs_keys: str | list[str] | None = None, sparse: bool = False, mask: Any = None,
               weights: Any = None, replacement: bool = False, num_samples: int | None = None,
               rank: int | None = None, world_size: int | None = None, drop_last: bool = False,
               to_torch: bool = True) -> Any:
        """An iterable of batches for training: a dict with ``"X"`` (a dense float tensor, or a sparse CSR
        tensor with ``sparse=True``), one int64 label tensor per ``obs_keys`` (codes into
        ``store.categories[key]``; -1: missing) and ``"index"`` (the cells' rows in the store).

        ``mask`` (boolean per cell, e.g. from :meth:`split` or :meth:`mask`) restricts to a subset;
        ``weights`` (per cell, or an obs key for class-balanced draws) or ``replacement=True`` draw
        ``num_samples`` cells with replacement; ``rank``/``world_size`` (default: from
        ``torch.distributed`` when initialized) give each process its share of every epoch. Call
        ``loader.set_epoch(e)`` each epoch. See ``ChunkSampler`` for the plan and the mixing it gives.
        """
        from ._chunk_sampler import ChunkSampler, label_weights
        from ._training_loader import TrainingLoader

        keys = [obs_keys] if isinstance(obs_keys, str) else list(obs_keys or [])
        for key in keys:
            self._codes(key)
        if isinstance(weights, str):
            weights = label_weights(self._codes(weights), None if mask is None else np.asarray(mask))
        if rank is None and world_size is None:
            rank, world_size = _distributed()
        sampler = ChunkSampler(self.chunk_starts, batch_size=batch_size, preload_chunks=preload_chunks, shuffle=shuffle,
                               seed=seed, rank=rank or 0, world_size=world_size or 1, mask=mask, weights=weights,
                               replacement=replacement, num_samples=num_samples, drop_last=drop_last)
        return TrainingLoader(self, sampler, keys, sparse=sparse, to_torch=to_torch)

    def close(self) -> None:
        for array in (self._arrays or {}).values():
            array.close()
        self._arrays = None

    def __getstate__(self) -> dict[str, Any]:  # DataLoader workers: open shard files are not pickled
        state = self.__dict__.copy()
        state["_arrays"] = None
        return state


def _distributed() -> tuple[int, int]:
    """``(rank, world_size)`` of an initialized ``torch.distributed`` process group, else ``(0, 1)``."""
    import sys

    dist = sys.modules.get("torch.distributed")
    if dist is not None and dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _read_all(folder: Path) -> np.ndarray:
    """A whole small array (labels, row sizes): every chunk, concatenated."""
    array = ShardedArray(folder)
    n = array.shape[0]
    step = array.chunk_shape[0]
    if n == 0:
        return np.zeros(0, dtype=array.dtype)
    return np.concatenate([array.chunk((k,)) for k in range(-(-n // step))])[:n]
