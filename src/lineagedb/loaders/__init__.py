"""Loaders that stream data out of artifacts and collections without loading them whole.

- :class:`MappedCollection`: a map-style dataset over all cells of many AnnData files
  (``collection.mapped(...)``), usable with ``torch.utils.data.DataLoader``.
- :class:`BlockSampler`: random contiguous blocks shuffled in a buffer, for fast training epochs.

torch is optional: nothing here imports it except ``MappedCollection.collate_fn``.
"""

from __future__ import annotations

from ._mapped import MappedCollection
from ._sampler import BlockSampler

__all__ = ["BlockSampler", "MappedCollection"]
