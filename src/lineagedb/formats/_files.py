"""Files that load as something simple: YAML as Python objects; images, HTML, SVG and R's ``.rds`` as
their local path (show or read them with the tool of your choice).

>>> ln.Artifact.get(key="config.yaml").load()   # {'a': 1, 'b': 2}  # doctest: +SKIP
>>> ln.Artifact.get(key="umap.png").load()      # PosixPath('.../umap.png')  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from . import register

logger = logging.getLogger("lineagedb")

PATH_SUFFIXES = (".html", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".rds")


def load_yaml(path: Any) -> Any:
    """Parse a YAML file with ``yaml.safe_load`` (no arbitrary Python objects)."""
    try:
        import yaml
    except ImportError:
        from ..errors import UnknownSuffix

        raise UnknownSuffix("loading .yaml files needs PyYAML: pip install 'lineagedb[yaml]'") from None

    with open(path, "rb") as f:
        return yaml.safe_load(f)


def load_as_path(path: Any) -> Path:
    """The local path itself: lineagedb has no in-memory type for these files."""
    return Path(path)


def load_rds(path: Any) -> Path:
    """The local path, with a hint how to read R data."""
    logger.warning("Please use `laminr` to load `.rds` files (or R's readRDS); returning the local path")
    return Path(path)


register(".yaml", load=load_yaml)
register(".yml", load=load_yaml)
for _suffix in PATH_SUFFIXES:
    if _suffix != ".rds":
        register(_suffix, load=load_as_path)
register(".rds", load=load_rds)
