"""``artifact.labels``: every label linked to an artifact, across Record and the bio registries.

>>> artifact.labels.add(ln.Record.get(name="DMSO"), feature="perturbation")  # doctest: +SKIP
>>> artifact.labels.get("perturbation")       # a QuerySet of the labels under that feature  # doctest: +SKIP
>>> artifact.labels.remove(dmso)              # doctest: +SKIP
>>> artifact.labels                            # Labels(records: DMSO; cell_types: T cell)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ._labels import labels_of, link_labels, unlink_labels


class LabelManager:
    """The labels of one artifact, grouped by registry; ``add``/``remove`` take ``feature=``."""

    def __init__(self, artifact: Any) -> None:
        self._artifact = artifact

    def _saved(self) -> Any:
        if self._artifact._state.adding:
            raise errors.InvalidArgument("save the artifact before adding labels: artifact.save()")
        return self._artifact

    def add(self, records: Any, feature: Any = None) -> None:
        """Link one label record or a list of them (optionally under ``feature``, a name or Feature)."""
        link_labels(self._saved(), _as_list(records), feature)

    def remove(self, records: Any, feature: Any = None) -> None:
        """Unlink labels (only their links under ``feature`` if given)."""
        unlink_labels(self._saved(), _as_list(records), feature)

    def add_from(self, other: Any) -> None:
        """Copy every label link of ``other`` (an artifact), each under the feature it was annotated with.

        >>> new_version.labels.add_from(old_version)  # doctest: +SKIP
        """
        by_feature: dict[Any, list[Any]] = {}
        for _, feature_id, label in labels_of([other.id]):
            by_feature.setdefault(feature_id, []).append(label)
        for feature_id, labels in by_feature.items():
            feature = None
            if feature_id is not None:
                from .feature import Feature

                feature = Feature.objects.get(pk=feature_id)
            link_labels(self._saved(), labels, feature)

    def get(self, feature: Any = None) -> list[Any]:
        """The linked labels (under ``feature``, a name or Feature, if given), oldest link first."""
        fid = None
        if feature is not None:
            from ._labels import _feature_id

            fid = _feature_id(feature)
        rows = labels_of([self._saved().id], with_feature=fid is not None or None)
        seen: dict[tuple[str, int], Any] = {}
        for _, link_feature, label in rows:
            if fid is None or link_feature == fid:
                seen.setdefault((label._meta.label, label.pk), label)
        return list(seen.values())

    def __iter__(self) -> Any:
        return iter(self.get())

    def __len__(self) -> int:
        return len(self.get())

    def __repr__(self) -> str:
        if self._artifact._state.adding:
            return "Labels(artifact not saved)"
        groups: dict[str, list[str]] = {}
        for label in self.get():
            name = getattr(label, "name", None) or getattr(label, "uid", label.pk)
            groups.setdefault(type(label).__name__, []).append(str(name))
        inner = "; ".join(f"{k}: {', '.join(v)}" for k, v in groups.items())
        return f"Labels({inner})"


def _as_list(records: Any) -> list[Any]:
    if isinstance(records, (list, tuple, set)) or hasattr(records, "model"):
        return list(records)
    return [records]
