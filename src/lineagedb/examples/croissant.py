"""A Croissant (MLCommons, JSON-LD) description of the mini immuno data set, with its files, for tutorials and tests.

>>> croissant_path, dataset_path = ln.examples.croissant.mini_immuno()  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_CONTEXT = {"@vocab": "https://schema.org/", "cr": "https://mlcommons.org/croissant/", "sc": "https://schema.org/"}


def mini_immuno(n_files: int = 1, filepath_prefix: str | None = None, strip_version: bool = False) -> tuple[Any, ...]:
    """Write ``mini_immuno.anndata.zarr`` (and ``mini.csv`` with ``n_files=2``) and their Croissant file.

    Returns ``(croissant_path, dataset1_path[, dataset2_path])``; files go under ``filepath_prefix`` (a folder
    relative to the working directory) when given. ``strip_version`` leaves out the version.
    """
    from .datasets import mini_immuno as data

    folder = Path(filepath_prefix) if filepath_prefix else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    dataset1 = folder / "mini_immuno.anndata.zarr"
    data.get_dataset1(otype="AnnData").write_zarr(dataset1)
    paths = [dataset1]
    if n_files == 2:
        dataset2 = folder / "mini.csv"
        data.get_dataset2(otype="DataFrame").to_csv(dataset2)
        paths.append(dataset2)
    metadata: dict[str, Any] = {
        "@context": _CONTEXT,
        "@type": "sc:Dataset",
        "name": "Mini immuno dataset",
        "description": "A few samples from the immunology dataset",
        "url": "https://lamin.ai/examples/mini_immuno",
        "license": ["https://creativecommons.org/licenses/by/4.0/"],
        "isPartOf": {"@type": "sc:Project", "name": "Mini Immuno Project"},
        "distribution": [
            {"@type": "cr:FileSet" if p.suffix == ".zarr" else "cr:FileObject", "@id": p.name, "name": p.name,
             "contentUrl": str(p), "encodingFormat": "application/x-zarr" if p.suffix == ".zarr" else "text/csv"}
            for p in paths
        ],
    }
    if not strip_version:
        metadata["version"] = "1.0"
    croissant_path = Path(f"{dataset1.name}_metadata.json")
    croissant_path.write_text(json.dumps(metadata, indent=2))
    return (croissant_path, *paths)
