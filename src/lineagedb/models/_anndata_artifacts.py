"""``Artifact.from_anndata`` and ``Artifact.from_mudata``: in-memory objects serialized into storage.

The object is validated first when a ``schema`` is passed (nothing is written if it fails), written
once into the default storage's staging area (``.h5ad`` file or ``.zarr`` folder; ``.h5mu`` for MuData),
then handed to the artifact machinery that hashes, deduplicates and saves it.

>>> ln.Artifact.from_anndata(adata, key="my_datasets/my_rnaseq1.h5ad", schema=anndata_schema).save()  # doctest: +SKIP
>>> ln.Artifact.from_anndata(adata, key="big.zarr", format="zarr").save()  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from .. import errors
from ..core import storage as st
from ._artifact_validation import validate_for_schema

_FORMATS = {"h5ad": ".h5ad", "zarr": ".zarr"}


def _format_for(key: str | None, format: str | None) -> str:  # noqa: A002
    by_key = next((f for f, s in _FORMATS.items() if key and key.rstrip("/").endswith(s)), None)
    if format is None:
        return by_key or "h5ad"
    if format not in _FORMATS:
        raise errors.InvalidArgument(f"format must be 'h5ad' or 'zarr', not {format!r}")
    if key and by_key is None and Path(key).suffix:
        raise errors.InvalidArgument(f"key {key!r} does not end in {_FORMATS[format]}; use a key like 'x{_FORMATS[format]}'")
    if by_key is not None and by_key != format:
        raise errors.InvalidArgument(f"key {key!r} says {by_key} but format={format!r}; make them agree")
    return format


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _write_staged(write: Any, suffix: str) -> Path:
    from .artifact import staging_path

    path = staging_path(suffix)
    try:
        write(path)
    except BaseException:
        _remove(path)
        raise
    return path


def from_anndata(
    cls: Any, adata: Any, *, key: str | None = None, description: str | None = None, schema: Any = None,
    format: str | None = None, revises: Any = None, **kwargs: Any,  # noqa: A002
) -> Any:
    """An artifact from an AnnData object (``otype="AnnData"``, ``n_observations`` = cells).

    ``format`` is ``"h5ad"`` (default, or as the key's suffix says) or ``"zarr"``. With ``schema``,
    the AnnData is validated before anything is written and annotated on save.
    """
    try:
        import anndata as ad
    except ImportError:  # pragma: no cover - anndata is a dependency
        raise errors.InvalidArgument("from_anndata() needs the anndata package: pip install anndata") from None
    if isinstance(adata, (str, Path)):
        if schema is not None:
            adata = ad.read_h5ad(adata) if str(adata).endswith(".h5ad") else ad.read_zarr(adata)
        else:
            from ..loaders._store import read_n_obs

            kwargs.setdefault("kind", "dataset")
            return cls(adata, key=key, description=description, revises=revises, otype="AnnData",
                       n_observations=read_n_obs(str(adata)), **kwargs)
    if not isinstance(adata, ad.AnnData):
        raise errors.InvalidArgument(f"from_anndata() needs an anndata.AnnData, not {type(adata).__name__}")
    fmt = _format_for(key, format)
    validation = validate_for_schema(adata, schema, kwargs.pop("features", None))
    from ..formats._anndata import write_anndata

    suffix = _FORMATS[fmt]
    path = _write_staged(lambda p: write_anndata(adata, p, fmt), suffix)
    return cls._from_local_file(path, suffix, otype="AnnData", n_observations=adata.n_obs, key=key,
                                description=description, revises=revises, schema=schema, validation=validation, **kwargs)


def from_mudata(
    cls: Any, mdata: Any, *, key: str | None = None, description: str | None = None, schema: Any = None,
    revises: Any = None, **kwargs: Any,
) -> Any:
    """An artifact from a MuData object, stored as ``.h5mu`` (``otype="MuData"``); needs ``pip install mudata``."""
    try:
        import mudata
    except ImportError:
        raise errors.InvalidArgument("from_mudata() needs the optional mudata package: pip install mudata") from None
    if isinstance(mdata, (str, Path)) or st.is_upath(mdata):
        if st.suffix_of(str(mdata)) not in (".h5mu", ".zarr"):
            raise errors.InvalidArgument(
                f"data has to be a MuData object or a path to MuData-like storage (.h5mu or .zarr), not {str(mdata)!r}"
            )
        kwargs.setdefault("kind", "dataset")
        return cls(mdata, key=key, description=description, revises=revises, schema=schema, otype="MuData", **kwargs)
    if not isinstance(mdata, mudata.MuData):
        raise errors.InvalidArgument(
            f"data has to be a MuData object or a path to MuData-like storage, not a {type(mdata).__name__}"
        )
    if key is not None and Path(key).suffix not in ("", ".h5mu"):
        raise errors.InvalidArgument(f"key {key!r} must end in .h5mu for a MuData artifact")
    validation = validate_for_schema(mdata, schema, kwargs.pop("features", None))
    path = _write_staged(lambda p: mdata.write(str(p)), ".h5mu")
    return cls._from_local_file(path, ".h5mu", otype="MuData", n_observations=mdata.n_obs, key=key,
                                description=description, revises=revises, schema=schema, validation=validation, **kwargs)


def stage_object(obj: Any, key: str | None, format: str | None) -> tuple[Path, str, int]:  # noqa: A002
    """Serialize an AnnData or MuData object into the staging area: ``(path, suffix, n_observations)``."""
    if type(obj).__name__ == "MuData":
        return _write_staged(lambda p: obj.write(str(p)), ".h5mu"), ".h5mu", obj.n_obs
    from ..formats._anndata import write_anndata

    fmt = _format_for(key, format)
    suffix = _FORMATS[fmt]
    return _write_staged(lambda p: write_anndata(obj, p, fmt), suffix), suffix, obj.n_obs
