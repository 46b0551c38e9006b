"""Load a source into one normalized table, cached as parquet on first load and in memory after.

Ontology tables have the columns ``ontology_id, name, synonyms, description, parents`` (synonyms and
direct parent ids ``|``-joined); gene tables ``ensembl_gene_id, symbol, biotype``; protein tables
``uniprotkb_id, name``; the organism table adds ``scientific_name``.

>>> from lineagedb.bio._sources import default_sources
>>> df = load_table(default_sources("CellType")[0])  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors
from ._sources import SourceSpec

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["ontology_id", "name", "synonyms", "description", "parents"]
_MEMO: dict[tuple[str, str, str], Any] = {}
_LOCK = threading.Lock()


def _json_loads(raw: bytes) -> Any:
    try:
        import orjson
    except ImportError:  # orjson is a dependency; the stdlib parser is the (2-3x slower) fallback
        return json.loads(raw)
    return orjson.loads(raw)


def read_cxg_json(path: str | Path) -> dict[str, Any]:
    """The dict inside a cellxgene-ontology-guide ``*.json.zst`` file."""
    import zstandard

    with open(path, "rb") as handle:
        data = handle.read()
    if zstandard.frame_content_size(data) > 0:  # size in the header: one allocation, one call
        return _json_loads(zstandard.ZstdDecompressor().decompress(data))
    return _json_loads(zstandard.ZstdDecompressor().stream_reader(data).read())


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are made (it would rescan them)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _join(items: Any) -> str | None:
    items = [i for i in (items or []) if i]
    return "|".join(dict.fromkeys(items)) if items else None


def rows_to_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows with list-valued ``synonyms``/``parents`` -> a normalized ontology table."""
    import pandas as pd

    ids = {r["ontology_id"] for r in rows}
    data = {
        "ontology_id": [r["ontology_id"] for r in rows],
        "name": [r["name"] for r in rows],
        "synonyms": [_join(s for s in r.get("synonyms", []) if s != r["name"]) for r in rows],
        "description": [r.get("description") for r in rows],
        "parents": [_join(p for p in r.get("parents", []) if p in ids) for r in rows],
    }
    return pd.DataFrame(data, columns=COLUMNS)


def cxg_to_frame(terms: dict[str, Any]) -> pd.DataFrame:
    """A parsed cellxgene-ontology-guide dict -> a normalized ontology table (built column by column)."""
    import pandas as pd

    ids: list[str] = []
    names: list[str] = []
    synonyms: list[str | None] = []
    descriptions: list[str | None] = []
    direct: list[list[str] | None] = []
    for oid, term in terms.items():
        label = term.get("label")
        if not label or term.get("deprecated"):
            continue
        ids.append(oid)
        names.append(label)
        descriptions.append(term.get("description"))
        syns = term.get("synonyms")
        if syns:
            kept = [s for s in dict.fromkeys(syns) if s and s != label]
            synonyms.append("|".join(kept) if kept else None)
        else:
            synonyms.append(None)
        ancestors = term.get("ancestors")
        direct.append([a for a, distance in ancestors.items() if distance == 1] if ancestors else None)
    known = set(ids)
    known.discard("")
    # ancestor ids are dict keys, so already unique; keep only parents that are terms of the table
    parents = ["|".join(kept) if found and (kept := [p for p in found if p in known]) else None for found in direct]
    data: dict[str, list[Any]] = {"ontology_id": ids, "name": names, "synonyms": synonyms, "description": descriptions,
                                  "parents": parents}
    return pd.DataFrame({k: _objects(v) for k, v in data.items()}, columns=COLUMNS)


def _objects(values: list[Any]) -> Any:
    import numpy as np

    out = np.empty(len(values), dtype=object)  # strings and None as they are: no inference, no NaN
    out[:] = values
    return out


def _read_cxg(path: str) -> pd.DataFrame:
    with _no_gc():
        return cxg_to_frame(read_cxg_json(path))


def _owl_to_frame(path: str) -> pd.DataFrame:
    try:
        import pronto
    except ImportError as exc:
        raise errors.InvalidArgument(
            f"reading OWL files needs `pip install pronto`; or convert {path!r} to OBO (e.g. with ROBOT)"
        ) from exc
    rows = []
    for term in pronto.Ontology(path).terms():
        if term.obsolete or not term.name:
            continue
        rows.append({"ontology_id": term.id, "name": term.name,
                     "synonyms": [s.description for s in term.synonyms if s.scope in {"EXACT", "RELATED"}],
                     "description": str(term.definition) if term.definition else None,
                     "parents": [p.id for p in term.superclasses(distance=1, with_self=False)]})
    return rows_to_frame(rows)


def _user_table(path: str, sep: str | None) -> pd.DataFrame:
    import pandas as pd

    df = pd.read_parquet(path) if sep is None else pd.read_csv(path, sep=sep, dtype=str)
    if "ontology_id" in df.columns and "name" in df.columns:
        for col in COLUMNS:
            if col not in df.columns:
                df[col] = None
        for col in ("synonyms", "parents"):
            df[col] = [v if isinstance(v, str) or v is None else _join(list(v)) for v in df[col]]
    if not all(pd.api.types.is_object_dtype(dtype) for dtype in df.dtypes):
        df = df.astype(object).where(df.notna(), None)
    return df


def _fetch(url: str, cache: Path) -> str:
    """A local path for ``url`` (http(s)/s3 urls are downloaded once into the cache)."""
    if "://" not in url or url.startswith("file://"):
        path = url.removeprefix("file://")
        if not Path(path).exists():
            raise errors.InvalidArgument(f"source file {path!r} does not exist")
        return path
    import hashlib

    import fsspec

    target = cache / f"download-{hashlib.sha1(url.encode()).hexdigest()[:12]}-{Path(url).name}"
    if not target.exists():
        with fsspec.open(url, "rb") as src, open(str(target) + ".part", "wb") as dst:
            dst.write(src.read())
        Path(str(target) + ".part").rename(target)
    return str(target)


def _read(spec: SourceSpec, cache: Path) -> pd.DataFrame:
    path = _fetch(spec.path, cache)
    if spec.kind == "cxg":
        return _read_cxg(path)
    if spec.kind == "obo":
        from ._obo import read_obo

        return rows_to_frame(read_obo(path)[0])
    if spec.kind == "owl":
        return _owl_to_frame(path)
    if spec.kind == "csv":
        return _user_table(path, "\t" if path.lower().endswith(".tsv") else ",")
    return _user_table(path, None)


def cache_dir() -> Path:
    """``$LINEAGEDB_BIO_CACHE`` or ``<ln.settings.cache_dir>/bio``: parquet copies of loaded sources."""
    from ..core.user_settings import settings

    path = Path(os.environ["LINEAGEDB_BIO_CACHE"]) if os.environ.get("LINEAGEDB_BIO_CACHE") else settings.cache_dir / "bio"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_table(spec: SourceSpec) -> pd.DataFrame:
    """The normalized table of a source: memory, else the parquet cache, else parsed and cached."""
    key = (spec.path, spec.version, spec.organism)
    table = _MEMO.get(key)
    if table is not None:
        return table
    with _LOCK:
        if key in _MEMO:
            return _MEMO[key]
        import pandas as pd

        if spec.kind == "parquet" and "://" not in spec.path:
            table = _user_table(spec.path, None)
        else:
            folder = cache_dir()
            cached = folder / f"{spec.entity}-{spec.name}-{spec.organism}-{spec.version}.parquet".replace("/", "_")
            if cached.exists() and cached.stat().st_mtime >= _mtime(spec.path):
                table = pd.read_parquet(cached)
            else:
                table = _read(spec, folder)
                tmp = cached.with_suffix(f".{os.getpid()}.part")
                table.to_parquet(tmp, compression="zstd", index=False)
                tmp.replace(cached)
        if not all(pd.api.types.is_object_dtype(dtype) for dtype in table.dtypes):  # parquet strings already arrive as object + None
            table = table.astype(object).where(table.notna(), None)
        table = table.reset_index(drop=True)
        _MEMO[key] = table
        return table


def _mtime(path: str) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return 0.0
