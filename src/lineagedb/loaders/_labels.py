"""Obs labels of a mapped collection: read once, encoded to integers across all files.

Every requested obs column is held as one int64 code array over all (kept) cells, so a batch's labels are
one numpy take. Codes index the sorted labels; ``unknown_label`` encodes to -1 (and is listed in the
encoder as -1); a missing value (NaN) is ``np.nan`` in single items and -1 in batches. A key that a
file lacks is left out of that file's items; a key no file has is left out with a warning.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ..errors import InvalidArgument
from . import _store

UNKNOWN, MISSING = -1, -2
logger = logging.getLogger("lineagedb")


def _sort_key(label: Any) -> tuple[str, Any]:
    return (type(label).__name__, label)


def _as_categorical(column: Any) -> Any:
    import pandas as pd

    return column if isinstance(column, pd.Categorical) else pd.Categorical(column)


class LabelEncoding:
    def __init__(self, paths: list[str], keys: list[str], encode_labels: bool | list[str],
                 unknown_label: str | dict[str, str] | None, n_obs_list: list[int],
                 rows: list[np.ndarray | None] | None = None) -> None:
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
            stray = set(unknown) - set(self.encoded)
            if stray:
                raise InvalidArgument(
                    f"unknown_label names {sorted(stray)}, which are not encoded labels {self.encoded}; "
                    "pass them in obs_keys (and encode_labels)"
                )
        self.paths = paths
        self.rows = rows or [None] * len(paths)
        self.n_obs_list = n_obs_list
        self.keys: list[str] = []
        self.codes: dict[str, np.ndarray] = {}
        self.categories: dict[str, list[Any]] = {}
        self.encoders: dict[str, dict[Any, int]] = {}
        self.present: dict[str, set[int]] = {}  # key -> the files that have it
        for key in keys:
            self._read(paths, key, unknown.get(key))

    def _read(self, paths: list[str], key: str, unknown: str | None, in_items: bool = True) -> None:
        columns: list[Any] = []
        for i, path in enumerate(paths):
            try:
                column = _as_categorical(_store.read_obs_column(path, key))
            except KeyError:
                columns.append(None)
                continue
            columns.append(column if self.rows[i] is None else column[self.rows[i]])
        present = {i for i, c in enumerate(columns) if c is not None}
        if not present and not in_items:
            raise InvalidArgument(f"obs key {key!r} is in none of the files")
        if not present:
            logger.warning(f"obs key {key!r} is in none of the {len(paths)} files; it is left out of the items")
            return
        labels = sorted({c for column in columns if column is not None for c in column.categories}, key=_sort_key)
        if unknown is not None and unknown in labels:
            labels.remove(unknown)
        lookup = {label: i for i, label in enumerate(labels)}
        if unknown is not None:
            lookup[unknown] = UNKNOWN
        parts = []
        for i, column in enumerate(columns):
            if column is None:  # this file lacks the key
                parts.append(np.full(self.n_obs_list[i], MISSING, dtype=np.int64))
                continue
            local_to_global = np.array([lookup[c] for c in column.categories] + [MISSING], dtype=np.int64)
            parts.append(local_to_global[np.asarray(column.codes, dtype=np.int64)])  # code -1 -> MISSING
        if in_items:
            self.keys.append(key)
        self.present[key] = present
        self.codes[key] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        self.categories[key] = labels
        if key in self.encoded:
            self.encoders[key] = dict(lookup)

    def decoded(self, key: str) -> np.ndarray:
        codes = self.codes[key]
        labels = np.array(self.categories[key], dtype=object)
        out = np.empty(len(codes), dtype=object)
        known = codes >= 0
        out[known] = labels[codes[known]]
        out[codes == MISSING] = np.nan
        unknown = [k for k, v in self.encoders.get(key, {}).items() if v == UNKNOWN]
        out[codes == UNKNOWN] = unknown[0] if unknown else np.nan
        return out

    def item(self, gidx: int, store: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in self.keys:
            if store not in self.present[key]:
                continue
            code = int(self.codes[key][gidx])
            if code == MISSING:
                out[key] = np.nan
            elif key in self.encoded:
                out[key] = code
            else:
                out[key] = self.categories[key][code]
        return out

    def batch(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for key in self.keys:
            codes = self.codes[key][idx]
            if key in self.encoded:
                out[key] = np.where(codes == MISSING, UNKNOWN, codes)
            else:
                out[key] = self.decoded(key)[idx]
        return out

    def weights(self, keys: list[str], scaler: float | None = None, return_categories: bool = False) -> Any:
        """Per cell ``1 / n`` (``scaler / (n + scaler)`` with a scaler), n = the count of its label combination.

        ``return_categories=True``: ``{"label1__label2": weight}`` per combination instead.
        """
        if not keys:
            raise InvalidArgument("get_label_weights needs at least one obs key")
        for key in keys:
            if key not in self.codes:  # not among obs_keys: read it now, for the weights only
                self._read(self.paths, key, None, in_items=False)
        stacked = np.stack([self.codes[key] for key in keys], axis=1)
        uniq, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
        counts = counts.astype(np.float64)
        per_combo = 1.0 / counts if scaler is None else scaler / (counts + scaler)
        if return_categories:
            decoded = {key: self._names(key) for key in keys}
            return {"__".join(str(decoded[key][code]) for key, code in zip(keys, combo)): float(w)
                    for combo, w in zip(uniq, per_combo)}
        return per_combo[inverse.reshape(-1)]

    def _names(self, key: str) -> dict[int, Any]:
        names: dict[int, Any] = dict(enumerate(self.categories[key]))
        names[MISSING] = "nan"
        unknown = [k for k, v in self.encoders.get(key, {}).items() if v == UNKNOWN]
        names[UNKNOWN] = unknown[0] if unknown else "unknown"
        return names
