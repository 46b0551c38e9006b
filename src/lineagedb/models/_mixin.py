"""The base of the registry mixins (``HasType``, ``VersionedMixin``, ...): to a type checker a registry, so their
methods see the fields and class-level API they run with; at run time a plain class (the registry that mixes one
in brings the model)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._base import BaseRecord as RegistryMixin
else:
    RegistryMixin = object

__all__ = ["RegistryMixin"]
