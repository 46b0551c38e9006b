"""Obs labels of a mapped collection: read once, encoded to integers across all files.

Every requested obs column is held as one int64 code array over all cells (a few bytes per cell), so a
batch's labels are one numpy take. Codes follow the order in which labels first appear (file by file,
categories in their stored order). Missing values and ``unknown_label`` encode to -1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgument
from . import _store


class LabelEncoding:
    def __init__(self, paths: list[str], keys: list[str], encode_labels: bool | list[str],
                 unknown_label: str | dict[str, str] | None) -> None:
        if encode_labels is True:
            self.encoded = list(keys)
        elif encode_labels is False:
            self.encoded = []
        else:
            self.encoded = list(encode_labels)
            missing = set(self.encoded) - set(keys)
            if missing:
                raise InvalidArgument(f"encode_labels names {sorted(missing)}, which are not in obs_keys {keys}")
        if isinstance(unknown_label, str):
            unknown = {key: unknown_label for key in self.encoded}
        else:
            unknown = dict(unknown_label or {})
        self.keys = keys
        self.codes: dict[str, np.ndarray] = {}
        self.categories: dict[str, list[Any]] = {}
        self.encoders: dict[str, dict[Any, int]] = {}
        for key in keys:
            self._read(paths, key, unknown.get(key))

    def _read(self, paths: list[str], key: str, unknown: str | None) -> None:
        import pandas as pd

        lookup: dict[Any, int] = {}
        parts = []
        for path in paths:
            try:
                column = _store.read_obs_column(path, key)
            except KeyError:
                raise InvalidArgument(f"obs key {key!r} is missing in {path}; pick keys present in every file") from None
            if not isinstance(column, pd.Categorical):
                column = pd.Categorical(column)
            local_to_global = np.array([lookup.setdefault(c, len(lookup)) for c in column.categories] + [-1], dtype=np.int64)
            parts.append(local_to_global[np.asarray(column.codes, dtype=np.int64)])  # code -1 -> last entry -> -1
        codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        labels = list(lookup)
        if unknown is not None and unknown in lookup:
            # drop the unknown label from the code space: it encodes to -1
            drop = lookup[unknown]
            codes = np.where(codes == drop, -1, np.where(codes > drop, codes - 1, codes))
            labels.pop(drop)
        self.codes[key] = codes
        self.categories[key] = labels
        if key in self.encoded:
            self.encoders[key] = {label: i for i, label in enumerate(labels)}

    def decoded(self, key: str) -> np.ndarray:
        labels = np.array(self.categories[key] + [None], dtype=object)
        return labels[self.codes[key]]

    def item(self, gidx: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in self.keys:
            code = int(self.codes[key][gidx])
            out[key] = code if key in self.encoded else (self.categories[key][code] if code >= 0 else None)
        return out

    def batch(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for key in self.keys:
            codes = self.codes[key][idx]
            if key in self.encoded:
                out[key] = codes
            else:
                labels = np.array(self.categories[key] + [None], dtype=object)
                out[key] = labels[codes]
        return out

    def weights(self, keys: list[str], scaler: float | None = None) -> np.ndarray:
        """1 / frequency of each cell's label combination; with ``scaler`` s: s / (freq / max_freq + s)."""
        if not keys:
            raise InvalidArgument("get_label_weights needs at least one obs key")
        for key in keys:
            if key not in self.codes:
                raise InvalidArgument(f"{key!r} is not among the dataset's obs_keys {self.keys}; pass it to mapped(obs_keys=...)")
        stacked = np.stack([self.codes[key] for key in keys], axis=1)
        _, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
        freq = counts[inverse.reshape(-1)].astype(np.float64)
        if scaler is None:
            return 1.0 / freq
        return scaler / (freq / freq.max() + scaler)
