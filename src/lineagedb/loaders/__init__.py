"""Loaders that stream data out of artifacts and collections without loading them whole.

- :class:`MappedCollection`: a map-style dataset over all cells of many AnnData files
  (``collection.mapped(...)``), usable with ``torch.utils.data.DataLoader``.
- :class:`BlockSampler`: random contiguous blocks shuffled in a buffer, for fast training epochs.
- :class:`TrainingStore`: a preshuffled, chunked, compressed zarr v3 copy of many AnnData files
  (``collection.to_training_store(...)`` or :func:`write_training_store`), read by
  ``store.loader(...)`` (:class:`ChunkSampler`: shuffled, distributed, weighted, split) for the fastest
  training epochs.

torch is optional: nothing here imports it except where tensors are made.
"""

from __future__ import annotations

from ._chunk_sampler import ChunkSampler, label_weights
from ._mapped import MappedCollection
from ._sampler import BlockSampler
from ._training_store import TrainingStore
from ._training_write import append_training_store, store_attrs, write_training_store

__all__ = ["BlockSampler", "ChunkSampler", "MappedCollection", "TrainingStore", "append_training_store",
           "label_weights", "store_attrs", "write_training_store"]
