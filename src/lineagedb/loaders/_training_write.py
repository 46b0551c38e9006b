"""Writing a training store (layout: ``_training_store``) from AnnData files, and appending files to one.

A new store is an empty store plus one append. An append draws a random permutation of the new cells,
gathers them from the sources (sorted reads per file: memory-mapped for uncompressed h5ad) and writes them
shard by shard after the existing cells; a partially filled last chunk is completed first, so every chunk
but the last holds exactly ``chunk_size`` cells. Appended cells are shuffled among themselves, not with
the cells already in the store (that would rewrite it); the loader mixes chunks of both in every round.

Genes follow the store's ``var_names`` (for a new store: the genes all files share, in the first file's
order); genes a new file lacks are zero, genes it adds are dropped. Label categories grow at the end, so
the codes of cells already in the store keep their meaning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidArgument
from ._training_store import ATTRS, FORMAT, TrainingStore

SHARD_BYTES = 64 << 20  # the raw size of one shard: large enough for few files, small enough to write in memory


def write_training_store(paths: list[str], out: str | Path, obs_keys: str | list[str] | None = None,
                         chunk_size: int = 512, layout: str | None = None, codec: str = "lz4", clevel: int = 5,
                         seed: int | None = 0, sources: list[dict[str, Any]] | None = None,
                         dtype: str = "float32") -> TrainingStore:
    """Write the cells of AnnData files (``.h5ad`` / ``.zarr``) as a preshuffled training store at ``out``.

    ``layout``: ``"csr"`` (default for sparse X) or ``"dense"``; ``codec``: ``"lz4"`` (blosc, byte
    shuffle; the fastest to decode) or ``"zstd"`` (smaller, slower); ``sources``: one dict per path kept
    in the store (e.g. ``{"uid": artifact.uid}``).

    >>> store = write_training_store(["a.h5ad", "b.h5ad"], "train.zarr", obs_keys="cell_type")  # doctest: +SKIP
    """
    import zarr

    out = Path(out)
    if out.exists():
        raise InvalidArgument(f"{out} exists; pass a new path for the training store")
    if chunk_size < 1:
        raise InvalidArgument("chunk_size must be positive")
    if codec not in ("lz4", "zstd"):
        raise InvalidArgument(f"codec must be 'lz4' or 'zstd', not {codec!r}")
    if layout not in (None, "csr", "dense"):
        raise InvalidArgument(f"layout must be 'csr' or 'dense', not {layout!r}")
    if not paths:
        raise InvalidArgument("a training store needs at least one AnnData file")
    from ._mapped import MappedCollection, _as_list

    probe = MappedCollection(paths, join="inner")
    if layout is None:
        layout = "csr" if type(probe._file(0).arrays.get("X")).__name__ == "_CSR" else "dense"
    var_names = [str(v) for v in probe.var_joint]
    probe.close()
    root = zarr.open_group(str(out), mode="w", zarr_format=3)
    root.attrs[ATTRS] = {
        "format": FORMAT, "layout": layout, "chunk_size": int(chunk_size), "n_cells": 0, "var_names": var_names,
        "obs": {key: [] for key in _as_list(obs_keys)}, "sources": [], "codec": codec, "clevel": int(clevel),
        "dtype": str(np.dtype(dtype)), "seed": seed,
    }
    return append_training_store(out, paths, sources=sources, seed=seed)


def append_training_store(path: str | Path, paths: list[str], sources: list[dict[str, Any]] | None = None,
                          seed: int | None = 0) -> TrainingStore:
    """Append the cells of more AnnData files to the training store at ``path`` (in place)."""
    import zarr

    from ._mapped import MappedCollection

    path = Path(path)
    store = TrainingStore(path)
    attrs = dict(store.attrs)
    if sources is not None and len(sources) != len(paths):
        raise InvalidArgument(f"sources has {len(sources)} entries for {len(paths)} files")
    keys = list(store.categories)
    ds = MappedCollection(paths, obs_keys=keys, join=None)
    target = _index(store.var_names)
    col_maps = []
    for names in ds.var_list:
        cols = target.get_indexer([str(n) for n in names]).astype(np.int64)
        col_maps.append(None if len(cols) == store.n_vars and np.array_equal(cols, np.arange(store.n_vars)) else cols)
    n_old, n_new = store.n_obs, ds.n_obs
    perm = np.random.default_rng(seed).permutation(n_new)
    root = zarr.open_group(str(path), mode="r+", zarr_format=3)
    codecs = _compressors(attrs)
    # labels: categories grow at the end; codes of the cells already stored keep their meaning
    obs = {}
    for key in keys:
        cats = list(attrs["obs"][key])
        if key in ds.labels.codes:
            new_cats = ds.labels.categories[key]
            for c in new_cats:
                if _jsonable(c) not in cats:
                    cats.append(_jsonable(c))
            remap = np.array([cats.index(_jsonable(c)) for c in new_cats] + [-1, -1], dtype=np.int32)
            codes = ds.labels.codes[key][perm]
            obs[key] = remap[np.where(codes >= 0, codes, len(new_cats))]  # -1 (unknown) and -2 (missing) -> -1
        else:
            obs[key] = np.full(n_new, -1, dtype=np.int32)
        attrs["obs"][key] = cats
    source_of = np.searchsorted(ds.offsets, perm, side="right") - 1
    obs["_source"] = (source_of + len(store.sources)).astype(np.int32)
    obs["_source_row"] = (perm - ds.offsets[source_of]).astype(np.int64)
    for name, values in obs.items():
        _append_1d(root, f"obs/{name}", values, codecs)
    dtype = np.dtype(attrs["dtype"])
    chunk_size = store.chunk_size
    if attrs["layout"] == "dense":
        _append_dense(root, store, ds, col_maps, perm, dtype, chunk_size, codecs)
    else:
        _append_csr(root, store, ds, col_maps, perm, dtype, chunk_size, codecs)
    names = [Path(p).name for p in paths]
    for i, name in enumerate(names):
        entry = {"name": name, "n_cells": int(ds.n_obs_list[i])}
        entry.update(sources[i] if sources is not None else {})
        attrs["sources"].append(entry)
    attrs["n_cells"] = n_old + n_new
    ds.close()
    store.close()
    root.attrs[ATTRS] = attrs
    return TrainingStore(path)


def _index(names: list[str]) -> Any:
    import pandas as pd

    return pd.Index(names)


def _jsonable(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _compressors(attrs: dict[str, Any]) -> Any:
    from zarr.codecs import BloscCodec, ZstdCodec

    if attrs["codec"] == "zstd":
        return lambda itemsize: ZstdCodec(level=attrs["clevel"])
    return lambda itemsize: BloscCodec(cname="lz4", clevel=attrs["clevel"], shuffle="shuffle", typesize=itemsize)


def _append_1d(root: Any, name: str, values: np.ndarray, codecs: Any) -> None:
    if name in root:
        array = root[name]
        n = array.shape[0]
        array.resize((n + len(values),))
        array[n:] = values
        return
    chunk = 1 << 16
    root.create_array(name, shape=(len(values),), chunks=(chunk,), shards=(chunk * 16,), dtype=values.dtype,
                      compressors=codecs(values.dtype.itemsize), fill_value=0)[:] = values


def _per_file(ds: Any, gidx: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """``(file, sorted rows in that file, their positions in gidx)`` for the cells ``gidx`` of ``ds``."""
    order = np.argsort(gidx, kind="stable")
    ordered = gidx[order]
    stores = np.searchsorted(ds.offsets, ordered, side="right") - 1
    bounds = [0, *(np.flatnonzero(np.diff(stores)) + 1).tolist(), len(gidx)]
    return [(int(stores[lo]), ordered[lo:hi] - ds.offsets[stores[lo]], order[lo:hi])
            for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]


def _gather_entries(ds: Any, col_maps: list, gidx: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells ``gidx`` as ``(indptr, indices, data)`` in the store's genes, in the order of ``gidx``."""
    found = []
    lengths = np.zeros(len(gidx), dtype=np.int64)
    for f, rows, positions in _per_file(ds, gidx):
        X = ds._file(f).arrays["X"]
        if hasattr(X, "entries"):
            o, c, v = X.entries(rows)  # owners come in order: each row's entries together
        else:
            dense = X.rows(rows)
            o, c = np.nonzero(dense)
            v = dense[o, c]
        if col_maps[f] is not None:
            c = col_maps[f][c]
            keep = c >= 0
            o, c, v = o[keep], c[keep], v[keep]
        local = np.bincount(o, minlength=len(rows))
        lengths[positions] = local
        found.append((positions, o, c, v, np.cumsum(local) - local))
    indptr = np.zeros(len(gidx) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=np.int64)
    data = np.empty(int(indptr[-1]), dtype=dtype)
    for positions, o, c, v, local_start in found:  # element k of row r goes to indptr[r] + (k - where r starts)
        dest = indptr[positions[o]] - local_start[o]
        dest += np.arange(len(o))
        indices[dest] = c
        data[dest] = v
    return indptr, indices, data


def _append_csr(root: Any, store: TrainingStore, ds: Any, col_maps: list, perm: np.ndarray, dtype: np.dtype,
                chunk_size: int, codecs: Any) -> None:
    n_old = store.n_obs
    first_chunk = n_old // chunk_size
    head = n_old - first_chunk * chunk_size  # cells of a partly filled last chunk, rewritten with the new ones
    pending = store.read_chunk(first_chunk) if head else None
    total = n_old + len(perm)
    n_chunks = -(-total // chunk_size)
    index_dtype = np.uint16 if store.n_vars <= 1 << 16 else np.uint32
    # entries per new cell, before dropping genes the store lacks: an upper bound for the chunk width
    lengths = np.zeros(len(perm), dtype=np.int64)
    for f, rows, positions in _per_file(ds, perm):
        X = ds._file(f).arrays["X"]
        lengths[positions] = X.lengths[rows] if hasattr(X, "lengths") else X.n_cols
    upper = np.concatenate([np.full(head, 0), lengths])
    if pending is not None:
        upper[:head] = np.diff(pending[0])
    sums = np.add.reduceat(upper, np.arange(0, len(upper), chunk_size)) if len(upper) else np.zeros(1, np.int64)
    needed = max(1, int(sums.max()))
    if "X/data" not in root:
        width = needed
        per_shard = max(1, SHARD_BYTES // (width * (np.dtype(dtype).itemsize + np.dtype(index_dtype).itemsize)))
        for name, dt in (("data", dtype), ("indices", index_dtype)):
            root.create_array(f"X/{name}", shape=(0, width), chunks=(1, width), shards=(per_shard, width), dtype=dt,
                              compressors=codecs(np.dtype(dt).itemsize), fill_value=0)
    data_arr, index_arr = root["X/data"], root["X/indices"]
    width = data_arr.chunks[1]
    columns = max(data_arr.shape[1], -(-needed // width) * width)
    for array in (data_arr, index_arr):
        array.resize((n_chunks, columns))
    per_shard = data_arr.shards[0]
    row_nnz = np.zeros(len(perm), dtype=np.int32)
    for shard in range(first_chunk // per_shard, -(-n_chunks // per_shard)):
        c0, c1 = max(shard * per_shard, first_chunk), min(n_chunks, (shard + 1) * per_shard)
        lo, hi = c0 * chunk_size - n_old, min(c1 * chunk_size, total) - n_old  # new cells in these chunks
        indptr, indices, data = _gather_entries(ds, col_maps, perm[max(lo, 0):hi], dtype)
        row_nnz[max(lo, 0):hi] = np.diff(indptr)
        if pending is not None and c0 == first_chunk:  # the partly filled chunk (lo < 0): its stored cells first
            p_indptr, p_indices, p_data = pending
            indptr = np.concatenate([p_indptr, p_indptr[-1] + indptr[1:]])
            indices = np.concatenate([p_indices.astype(np.int64), indices])
            data = np.concatenate([p_data.astype(dtype), data])
        block_d = np.zeros((c1 - c0, columns), dtype=dtype)
        block_i = np.zeros((c1 - c0, columns), dtype=index_dtype)
        for k in range(c1 - c0):
            a, b = int(indptr[min(k * chunk_size, len(indptr) - 1)]), int(indptr[min((k + 1) * chunk_size, len(indptr) - 1)])
            block_d[k, :b - a] = data[a:b]
            block_i[k, :b - a] = indices[a:b]
        data_arr[c0:c1] = block_d
        index_arr[c0:c1] = block_i
    _append_1d(root, "X/row_nnz", row_nnz, codecs)


def _append_dense(root: Any, store: TrainingStore, ds: Any, col_maps: list, perm: np.ndarray, dtype: np.dtype,
                  chunk_size: int, codecs: Any) -> None:
    n_vars, n_old = store.n_vars, store.n_obs
    if "X/values" not in root:
        per_shard = max(1, SHARD_BYTES // (chunk_size * n_vars * np.dtype(dtype).itemsize))
        root.create_array("X/values", shape=(0, n_vars), chunks=(chunk_size, n_vars),
                          shards=(chunk_size * per_shard, n_vars), dtype=dtype,
                          compressors=codecs(np.dtype(dtype).itemsize), fill_value=0)
    array = root["X/values"]
    array.resize((n_old + len(perm), n_vars))
    step = array.shards[0]
    for lo in range(n_old, n_old + len(perm), step):
        hi = min((lo // step + 1) * step, n_old + len(perm))  # up to the next shard border
        cells = perm[lo - n_old:hi - n_old]
        block = np.zeros((len(cells), n_vars), dtype=dtype)
        for f, rows, positions in _per_file(ds, cells):
            X = ds._file(f).arrays["X"]
            if hasattr(X, "entries"):
                o, c, v = X.entries(rows)
                o = positions[o]
            else:
                part = X.rows(rows)
                o = np.repeat(positions, part.shape[1])
                c = np.tile(np.arange(part.shape[1]), len(rows))
                v = part.reshape(-1)
            if col_maps[f] is not None:
                c = col_maps[f][c]
                keep = c >= 0
                o, c, v = o[keep], c[keep], v[keep]
            block[o, c] = v
        array[lo:hi] = block


def store_attrs(path: str | Path) -> dict[str, Any]:
    """The training store's attributes (sources, layout, ...), read without opening its arrays."""
    meta = json.loads((Path(path) / "zarr.json").read_text())
    return meta.get("attributes", {}).get(ATTRS, {})
