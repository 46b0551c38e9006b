"""AnnData in storage: ``.h5ad`` files and ``.zarr`` folders.

``load`` reads the whole object into memory; ``open`` gives a *backed* AnnData whose ``obs``/``var``
are in memory and whose ``X`` (and layers) stay on disk, so only the slices you index are read.

>>> adata = artifact.open()            # doctest: +SKIP
>>> adata[:100].X                      # reads 100 rows  # doctest: +SKIP

Local h5ad files use anndata's own backed mode (h5py). Remote h5ad files are read through an fsspec
file object handed to h5py, remote zarr folders through zarr's fsspec store: nothing is downloaded
beyond the byte ranges the slices need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import register

_LOCAL_PROTOCOLS = {"", "file", "local"}


def _is_local(path: Any) -> bool:
    protocol = getattr(path, "protocol", "")
    if isinstance(protocol, (tuple, list)):
        protocol = protocol[0] if protocol else ""
    return protocol in _LOCAL_PROTOCOLS


def _local(path: Any) -> str:
    return str(path) if isinstance(path, (str, Path)) else str(getattr(path, "path", path))


def _storage_options(path: Any) -> dict[str, Any]:
    return dict(getattr(path, "storage_options", {}) or {})


def _lazy_anndata(group: Any) -> Any:
    """An AnnData over an open h5py/zarr group: obs/var/uns in memory, X and layers left on disk."""
    import anndata as ad
    from anndata.io import read_elem, sparse_dataset

    def lazy(elem: Any) -> Any:
        encoding = elem.attrs.get("encoding-type", "")
        if encoding in ("csr_matrix", "csc_matrix"):
            return sparse_dataset(elem)
        if hasattr(elem, "shape"):  # a dense h5py Dataset / zarr Array
            return elem
        return read_elem(elem)

    kwargs: dict[str, Any] = {key: read_elem(group[key]) for key in ("obs", "var") if key in group}
    if "X" in group:
        kwargs["X"] = lazy(group["X"])
    if "layers" in group:
        kwargs["layers"] = {name: lazy(group["layers"][name]) for name in group["layers"]}
    for key in ("obsm", "varm", "uns"):
        if key in group and len(group[key]):
            kwargs[key] = read_elem(group[key])
    return ad.AnnData(**kwargs)


def load_h5ad(path: Any) -> Any:
    import anndata as ad

    if _is_local(path):
        return ad.read_h5ad(_local(path))
    with path.open("rb") as f:
        return ad.read_h5ad(f)


def open_h5ad(path: Any) -> Any:
    """A backed AnnData (``adata.isbacked`` for local files); slicing reads only what is asked for."""
    import anndata as ad

    if _is_local(path):
        return ad.read_h5ad(_local(path), backed="r")
    import h5py

    handle = path.open("rb")  # stays open as long as the returned AnnData is used
    return _lazy_anndata(h5py.File(handle, "r"))


def _zarr_group(path: Any) -> Any:
    import zarr

    if _is_local(path):
        return zarr.open_group(_local(path), mode="r")
    return zarr.open_group(str(path), mode="r", storage_options=_storage_options(path))


def load_zarr(path: Any) -> Any:
    import anndata as ad

    if _is_local(path):
        return ad.read_zarr(_local(path))
    return ad.read_zarr(_zarr_group(path))


def open_zarr(path: Any) -> Any:
    """An AnnData whose X and layers are zarr arrays (dense) or anndata sparse datasets (CSR/CSC)."""
    return _lazy_anndata(_zarr_group(path))


def write_anndata(adata: Any, path: str | Path, format: str = "h5ad") -> None:  # noqa: A002
    """Serialize ``adata`` to ``path`` as ``h5ad`` (one file) or ``zarr`` (a folder)."""
    if format == "h5ad":
        adata.write_h5ad(path)
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*zarr v2.*")
            adata.write_zarr(path)


def load_h5mu(path: Any) -> Any:
    try:
        import mudata
    except ImportError:
        from ..errors import UnknownSuffix

        raise UnknownSuffix("loading .h5mu files needs the optional mudata package: pip install mudata") from None
    return mudata.read_h5mu(_local(path) if _is_local(path) else path.open("rb"))


register(".h5ad", load=load_h5ad, open=open_h5ad)
register(".h5mu", load=load_h5mu)
register(".zarr", load=load_zarr, open=open_zarr)
