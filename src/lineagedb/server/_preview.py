"""Previews of an artifact's content for its page: table heads, AnnData heads, images and text.

Only the first rows/bytes are read; artifacts in cloud storage are previewed only when small.
Every value is HTML-escaped (pandas' ``to_html`` escapes by default).

>>> preview_html(artifact)  # doctest: +SKIP
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

ROWS = 10
TEXT_BYTES = 20_000
CLOUD_LIMIT = 20 * 1024 * 1024
IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
          ".svg": "image/svg+xml"}
TEXTS = {".txt", ".md", ".json", ".py", ".r", ".yaml", ".yml", ".toml", ".log", ".fasta", ".fa", ".bed", ".gtf", ".sh"}
INLINE = {**IMAGES, ".html": "text/html", ".txt": "text/plain", ".pdf": "application/pdf"}


def _table(df: Any) -> str:
    return df.to_html(classes="table", max_cols=30, border=0, escape=True)


def _local_file(artifact: Any) -> Path | None:
    from ..core import storage as st

    path = artifact.path
    if st.is_local(path):
        local = st.local_path(path)
        return local if local.exists() else None
    if artifact.size is not None and artifact.size <= CLOUD_LIMIT:
        return artifact._local()
    return None


def _dataframe_head(path: Path, suffix: str) -> str:
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        batch = next(pf.iter_batches(batch_size=ROWS), None)
        head = batch.to_pandas() if batch is not None else pf.schema_arrow.empty_table().to_pandas()
        info = f"{pf.metadata.num_rows} rows × {pf.metadata.num_columns} columns"
    else:
        import pandas as pd

        head = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", nrows=ROWS)
        info = f"first {len(head)} rows"
    return f"<p class=muted>{escape(info)}</p>" + _table(head)


def _anndata_head(path: Path) -> str:
    import anndata as ad

    adata = ad.read_h5ad(path, backed="r")
    try:
        parts = [f"<p class=muted>AnnData: {adata.n_obs} observations × {adata.n_vars} variables</p>"]
        for name in ("obs", "var"):
            frame = getattr(adata, name)
            parts.append(f"<h4>{name}</h4>" + _table(frame.head(ROWS)))
        keys = {k: list(getattr(adata, k).keys()) for k in ("obsm", "layers", "uns") if len(getattr(adata, k).keys())}
        if keys:
            parts.append("<p class=muted>" + escape("; ".join(f"{k}: {', '.join(v)}" for k, v in keys.items())) + "</p>")
        return "".join(parts)
    finally:
        adata.file.close()


def _text_head(path: Path) -> str:
    with open(path, "rb") as fh:
        data = fh.read(TEXT_BYTES + 1)
    more = "\n…" if len(data) > TEXT_BYTES else ""
    return f"<pre class=preview>{escape(data[:TEXT_BYTES].decode('utf-8', 'replace'))}{more}</pre>"


def preview_html(artifact: Any) -> str:
    """An HTML fragment previewing the artifact's content, or a note saying why there is none."""
    suffix = (artifact.suffix or "").lower()
    download = f"/artifact/{artifact.uid}/download"
    if artifact.n_files is not None:
        return f"<p class=muted>a folder of {artifact.n_files} files: no preview; use artifact.cache() to get it</p>"
    if suffix in IMAGES:
        return f'<img class=preview src="{download}?inline=1" alt="{escape(artifact.key or artifact.uid)}">'
    if suffix not in {".parquet", ".csv", ".tsv", ".h5ad", ".html"} | TEXTS:
        return "<p class=muted>no preview for this kind of file; download it below</p>"
    try:
        path = _local_file(artifact)
        if path is None:
            return "<p class=muted>no preview: the file is in cloud storage and large, or missing</p>"
        if path.is_dir():
            return "<p class=muted>a folder: no preview</p>"
        if suffix == ".html":
            return f'<iframe class=report sandbox src="{download}?inline=1" title="HTML preview"></iframe>'
        if suffix in {".parquet", ".csv", ".tsv"}:
            return _dataframe_head(path, suffix)
        if suffix == ".h5ad":
            return _anndata_head(path)
        return _text_head(path)
    except Exception as e:  # noqa: BLE001 - a broken file must not break the page
        return f"<p class=muted>no preview: {escape(type(e).__name__)}: {escape(str(e)[:300])}</p>"
