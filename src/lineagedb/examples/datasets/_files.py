"""Small example files written on demand into the working directory.

>>> path = ln.examples.datasets.file_mini_csv()   # ./mini.csv  # doctest: +SKIP
>>> ln.Artifact(path, key="examples/mini.csv").save()  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path


def file_mini_csv(in_storage_root: bool = False) -> Path:
    """A three-row CSV file ``mini.csv`` (columns ``test``, ``value``) in the current folder (or, with
    ``in_storage_root=True``, in the default storage root, where it registers in place)."""
    folder = Path.cwd()
    if in_storage_root:
        from ...core.user_settings import settings

        folder = Path(settings.storage.root)
    path = folder / "mini.csv"
    path.write_text("test,value\na,1\nb,2\nc,3\n")
    return path
