"""Row access to one AnnData file (h5ad or zarr) without loading it.

The fast path: an uncompressed HDF5 dataset is a plain run of bytes in the file (contiguous, or chunked
with chunks written back to back, as anndata writes them), so it is mapped with ``numpy.memmap`` once
per process and indexed like an in-memory array; the page cache does the rest. Anything else
(compressed, scattered chunks, zarr) is read through h5py/zarr slicing. A CSR matrix's ``indptr`` is
read into memory once per file.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _memmap_h5(ds: Any, mapped: Any) -> Any:
    """A read-only view of an uncompressed h5py dataset's bytes in the mapped file, or None.

    Contiguous datasets become a plain numpy array; 1-D chunked ones a :class:`_Chunked` view that
    finds each element through its chunk's file offset.
    """
    if mapped is None or ds.dtype.kind not in "biuf" or ds.size == 0:
        return None
    if ds.id.get_create_plist().get_nfilters() != 0:
        return None
    offset = ds.id.get_offset()
    if offset is not None:
        return np.frombuffer(mapped, dtype=ds.dtype, count=ds.size, offset=offset).reshape(ds.shape)
    if ds.chunks is None or len(ds.shape) != 1:
        return None
    return _Chunked.of(ds, mapped)


class _Chunked:
    """A 1-D chunked, unfiltered HDF5 dataset read straight from the mapped file, chunk by chunk."""

    def __init__(self, view: np.ndarray, base: np.ndarray, chunk_len: int, size: int) -> None:
        self.view, self.base, self.chunk_len, self.size = view, base, chunk_len, size
        self.dtype = view.dtype

    @classmethod
    def of(cls, ds: Any, mapped: Any) -> _Chunked | None:
        chunk_len, itemsize = ds.chunks[0], ds.dtype.itemsize
        n_chunks = -(-ds.shape[0] // chunk_len)
        if ds.id.get_num_chunks() != n_chunks:  # unwritten chunks: leave it to h5py
            return None
        found: list[tuple[int, int]] = []
        if hasattr(ds.id, "chunk_iter"):
            ds.id.chunk_iter(lambda info: found.append((info.chunk_offset[0], info.byte_offset)))
        else:
            for i in range(n_chunks):
                info = ds.id.get_chunk_info(i)
                found.append((info.chunk_offset[0], info.byte_offset))
        found.sort()
        byte_offsets = np.array([b for _, b in found], dtype=np.int64)
        if any(e != k * chunk_len for k, (e, _) in enumerate(found)) or np.any(byte_offsets % itemsize):
            return None
        view = np.frombuffer(mapped, dtype=ds.dtype, count=len(mapped) // itemsize)
        return cls(view, byte_offsets // itemsize, chunk_len, ds.shape[0])

    def take(self, idx: np.ndarray) -> np.ndarray:
        chunk, within = np.divmod(idx, self.chunk_len)
        return self.view[self.base[chunk] + within]

    def __getitem__(self, key: slice) -> np.ndarray:
        start, stop = key.start, key.stop
        if stop <= start:
            return self.view[:0]
        L = self.chunk_len
        first, last = start // L, (stop - 1) // L
        pieces = []
        for chunk in range(first, last + 1):  # one slice per chunk touched
            lo, hi = max(start, chunk * L), min(stop, (chunk + 1) * L)
            at = self.base[chunk] - chunk * L
            pieces.append(self.view[at + lo:at + hi])
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)


def _map_file(path: str) -> Any:
    import mmap

    try:
        with open(path, "rb") as fh:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # e.g. an empty file or a file system without mmap
        return None


class AnnDataFile:
    """One opened member file: ``read_rows(rows)`` gives a dense 2-D array of those rows.

    ``rows`` must be sorted and unique (the dataset sorts each batch once).
    """

    def __init__(self, path: str, layer_keys: list[str], obsm_keys: list[str]) -> None:
        self.path = path
        self.is_zarr = path.rstrip("/").endswith(".zarr")
        self._root: Any  # a zarr group or an h5py file: both read as nested mappings
        if self.is_zarr:
            import zarr

            self._root = zarr.open_group(path, mode="r")
        else:
            import h5py

            self._root = h5py.File(path, "r")
        self._mapped = _map_file(path) if not self.is_zarr else None
        self.arrays: dict[str, Any] = {}
        self.block_plan: Any = None  # block mode's per-file plan (see ``_blocks._plan``), made on first use
        for key in layer_keys:
            elem = _layer(self._root, key)
            if elem is not None:  # a key this file lacks is left out of its items
                self.arrays[key] = self._matrix(elem)
        for key in obsm_keys:
            elem = _child(self._root, "obsm", key)
            if elem is not None:
                self.arrays[f"obsm_{key}"] = self._matrix(elem)

    def _array(self, ds: Any) -> Any:
        if not self.is_zarr:
            mapped = _memmap_h5(ds, self._mapped)
            if mapped is not None:
                return mapped
        return ds

    def _matrix(self, elem: Any) -> Any:
        encoding = elem.attrs.get("encoding-type", "array")
        if encoding == "csr_matrix":
            return _CSR(self._array(elem["data"]), self._array(elem["indices"]), np.asarray(elem["indptr"][:], dtype=np.int64),
                        int(elem.attrs["shape"][1]))
        if encoding == "csc_matrix":
            from anndata.io import sparse_dataset

            return _Generic(sparse_dataset(elem))
        if encoding != "array" or not hasattr(elem, "shape"):
            raise TypeError(f"{self.path}: cannot read rows of an element encoded as {encoding!r}")
        return _Dense(self._array(elem))

    def close(self) -> None:
        self.arrays.clear()
        self.block_plan = None
        self._mapped = None  # the mapping closes once no array view refers to it any more
        if not self.is_zarr:
            self._root.close()


class _Dense:
    def __init__(self, array: Any) -> None:
        self.array = array
        self.in_memory = isinstance(array, np.ndarray)
        self.n_cols = array.shape[1] if len(array.shape) > 1 else 1

    def row(self, i: int) -> np.ndarray:
        return np.array(self.array[i])

    def rows(self, rows: np.ndarray) -> np.ndarray:
        if self.in_memory:
            return self.array[rows]
        lo, hi = int(rows[0]), int(rows[-1]) + 1
        if hi - lo <= 4 * len(rows):  # one contiguous read beats a scattered selection
            return np.asarray(self.array[lo:hi])[rows - lo]
        unique, inverse = np.unique(rows, return_inverse=True)  # h5py/zarr want increasing, unique indices
        return np.asarray(self.array[unique])[inverse]


class _CSR:
    """A CSR matrix on disk; ``indptr`` (and, when mapped, each row's position in the file) cached in memory."""

    def __init__(self, data: Any, indices: Any, indptr: np.ndarray, n_cols: int) -> None:
        self.data, self.indices, self.indptr, self.n_cols = data, indices, indptr, n_cols
        self.lengths = np.diff(indptr)
        self.in_memory = all(isinstance(a, (np.ndarray, _Chunked)) for a in (data, indices))
        if self.in_memory:
            self._sources = [_RowSource(indices, indptr), _RowSource(data, indptr)]

    def row_entries(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        start, stop = self.indptr[i], self.indptr[i + 1]
        return np.asarray(self.indices[start:stop]), np.asarray(self.data[start:stop])

    def entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row position in ``rows``, column, value) of every stored entry of those rows."""
        lengths = self.lengths[rows]
        if len(rows) > 1 and rows[-1] - rows[0] == len(rows) - 1 and np.all(np.diff(rows) == 1):
            start, stop = int(self.indptr[rows[0]]), int(self.indptr[rows[-1] + 1])  # a run of rows: two slices
            owner = np.repeat(np.arange(len(rows)), lengths)
            return owner, np.asarray(self.indices[start:stop]), np.asarray(self.data[start:stop])
        total = int(lengths.sum())
        owner = np.repeat(np.arange(len(rows)), lengths)
        if self.in_memory:
            steps = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            cols, vals = (source.take(rows, lengths, steps) for source in self._sources)
            return owner, cols, vals
        starts = self.indptr[rows]
        cols = np.empty(total, dtype=np.int64)
        vals = np.empty(total, dtype=self.data.dtype)
        pos = 0
        for start, length in zip(starts.tolist(), lengths.tolist()):
            cols[pos:pos + length] = self.indices[start:start + length]
            vals[pos:pos + length] = self.data[start:start + length]
            pos += length
        return owner, cols, vals


class _RowSource:
    """Where each CSR row starts in a mapped array, computed once per file (chunk borders noted)."""

    def __init__(self, array: np.ndarray | _Chunked, indptr: np.ndarray) -> None:
        starts = indptr[:-1]
        # rows split over two chunks, if any: (whether each row is split, where each row starts, the array)
        self.split: tuple[np.ndarray, np.ndarray, _Chunked] | None = None
        if isinstance(array, _Chunked):
            L = array.chunk_len
            first = starts // L
            self.view: np.ndarray = array.view
            self.row_pos = array.base[first] + starts - first * L
            crossing = first != (starts + np.maximum(np.diff(indptr), 1) - 1) // L
            if crossing.any():
                self.split = (crossing, starts, array)
        else:
            self.view, self.row_pos = array, starts

    def take(self, rows: np.ndarray, lengths: np.ndarray, steps: np.ndarray) -> np.ndarray:
        pos = np.repeat(self.row_pos[rows], lengths) + steps
        if self.split is not None:
            crossing, starts, chunked = self.split
            crossing = crossing[rows]
            if crossing.any():  # a row split over two chunks: place its elements one by one
                mask = np.repeat(crossing, lengths)
                elem = np.repeat(starts[rows], lengths)[mask] + steps[mask]
                chunk, within = np.divmod(elem, chunked.chunk_len)
                pos[mask] = chunked.base[chunk] + within
        return self.view[pos]


class _Generic:
    """Any other row-indexable matrix (e.g. CSC): correct, not fast."""

    def __init__(self, matrix: Any) -> None:
        self.matrix = matrix
        self.n_cols = matrix.shape[1]

    def rows(self, rows: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(rows, return_inverse=True)
        block = self.matrix[unique]
        return (block.toarray() if hasattr(block, "toarray") else np.asarray(block))[inverse]

    def row(self, i: int) -> np.ndarray:
        return self.rows(np.array([i]))[0]


def _child(root: Any, group: str, key: str) -> Any:
    if group not in root or key not in root[group]:
        return None
    return root[group][key]


def _layer(root: Any, key: str) -> Any:
    """``"X"``, ``"raw.X"`` or a layer name -> its element, or None if the file lacks it."""
    if key == "X":
        return root["X"] if "X" in root else None
    if key.startswith("raw."):
        return _child(root, "raw", key[4:])
    return _child(root, "layers", key)


def check_elements(paths: list[str], layer_keys: list[str], obsm_keys: list[str]) -> None:
    """Refuse CSC matrices (reading rows of one means reading every column) and warn about keys no file has."""
    import logging

    from ..errors import InvalidArgument

    found: dict[str, int] = {}
    for path in paths:
        with _open_root(path) as root:
            named = [(k, _layer(root, k)) for k in layer_keys] + [(f"obsm_{k}", _child(root, "obsm", k)) for k in obsm_keys]
            for name, elem in named:
                if elem is None:
                    continue
                found[name] = found.get(name, 0) + 1
                if elem.attrs.get("encoding-type", "") == "csc_matrix":
                    raise InvalidArgument(
                        f"{path}: {name} is a CSC sparse matrix, which cannot be read row by row without reading "
                        "all of it; store it as CSR (adata.layers[k] = adata.layers[k].tocsr(), X alike)"
                    )
    absent = [n for n in [*layer_keys, *(f"obsm_{k}" for k in obsm_keys)] if n not in found]
    if absent:
        logging.getLogger("lineagedb").warning(f"{absent} are in none of the {len(paths)} files; left out of the items")


def read_obs_column(path: str, key: str) -> Any:
    """One obs column of a member file (categorical, strings or numbers), in memory."""
    from anndata.io import read_elem

    with _open_root(path) as root:
        obs = root["obs"]
        if key not in obs:
            raise KeyError(key)
        return read_elem(obs[key])


def read_var_names(path: str) -> Any:
    import pandas as pd
    from anndata.io import read_elem

    with _open_root(path) as root:
        var = root["var"]
        return pd.Index(read_elem(var[var.attrs["_index"]]))


def read_n_obs(path: str) -> int:
    with _open_root(path) as root:
        obs = root["obs"]
        return _n_rows(obs[obs.attrs["_index"]])


def _n_rows(elem: Any) -> int:
    """Length of an encoded 1-D element: a plain array, or a group such as a nullable string array."""
    if hasattr(elem, "shape"):
        return int(elem.shape[0])
    return _n_rows(elem["values"] if "values" in elem else elem[next(iter(elem))])


class _open_root:
    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> Any:
        self.root: Any  # a zarr group or an h5py file
        self.closer: Any  # the h5py file to close; zarr groups hold nothing open
        if self.path.rstrip("/").endswith(".zarr"):
            import zarr

            self.root, self.closer = zarr.open_group(self.path, mode="r"), None
        else:
            import h5py

            self.root = h5py.File(self.path, "r")
            self.closer = self.root
        return self.root

    def __exit__(self, *exc: Any) -> None:
        if self.closer is not None:
            self.closer.close()
