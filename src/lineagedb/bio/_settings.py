"""``bt.settings``: defaults of the bio module."""

from __future__ import annotations


class BioSettings:
    """``bt.settings.organism`` is the organism organism-aware registries use when none is given."""

    def __init__(self) -> None:
        self.organism: str = "human"

    def __repr__(self) -> str:
        return f"BioSettings(organism={self.organism!r})"


settings = BioSettings()
