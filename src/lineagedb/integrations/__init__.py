"""Integrations with other metadata formats.

>>> artifact = ln.integrations.curate_from_croissant("dataset_metadata.json")  # doctest: +SKIP
"""

from ._croissant import curate_from_croissant

__all__ = ["curate_from_croissant"]
