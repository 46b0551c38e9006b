"""Version families: records sharing a uid stem, one of them ``is_latest``.

Used by Artifact, Collection and Transform alike.
"""

from __future__ import annotations

from typing import Any

from ..core.uids import base62, decode_version_suffix, encode_version_suffix


class VersionedMixin:
    """Adds ``stem_uid`` and ``versions`` to a registry with ``uid``, ``version`` and ``is_latest``."""

    _stem_length = 16

    @property
    def stem_uid(self) -> str:
        return self.uid[: self._stem_length]

    @property
    def versions(self) -> Any:
        """Every version of this record's family, oldest first.

        >>> artifact.versions.to_dataframe()  # doctest: +SKIP
        """
        return type(self).objects.filter(uid__startswith=self.stem_uid, branch=1).order_by("uid")

    @classmethod
    def _new_family_uid(cls) -> str:
        return base62(cls._stem_length) + encode_version_suffix(0)

    @classmethod
    def _next_uid_in_family(cls, stem: str) -> str:
        """The uid for the next version of family ``stem`` (all versions, trash included, count)."""
        last = cls.objects.filter(uid__startswith=stem).order_by("-uid").values_list("uid", flat=True).first()
        index = 0 if last is None else decode_version_suffix(last[cls._stem_length:]) + 1
        return stem + encode_version_suffix(index)
