"""The fields most registries share, declared once: who created a record and when, the branch it lives on,
the space that scopes who sees it, the run that made it, and when it last changed.

``Created`` < ``Branched`` < ``Tracked`` are abstract bases of ``BaseRecord`` (each adds fields to the one
before); ``TracksUpdates`` is a mixin for the registries whose rows change in place. A registry takes the
smallest base that fits (``Run``: ``Branched``, it has no ``run``; ``Storage``: ``Created`` plus ``run``).
Blocks declare ``created_at``/``created_by`` themselves (``models/block.py``): their tables list them before
the host columns of each block registry, an order these bases, which put shared fields last, would change.

>>> [f.name for f in ln.ULabel._meta.concrete_fields][-5:]  # doctest: +SKIP
['created_at', 'created_by', 'run', 'branch', 'space']
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from ._base import BaseRecord
from ._fields import _current_run_id, branch, created_at, created_by

F = TypeVar("F", bound=models.Field)

# Django lists fields in the order they were created, so an abstract base's fields would come before the
# fields of the registries defined after it; these ranks keep the shared fields last, always in this order.
_AFTER_OWN_FIELDS = 1 << 40
_ORDER = ("created_at", "updated_at", "created_by", "run", "branch", "space")


def _shared(name: str, field: F) -> F:
    field.creation_counter = _AFTER_OWN_FIELDS + _ORDER.index(name)
    return field


def run_field(related_name: str = "+") -> models.ForeignKey:
    """The run that created the record (the current run when it was made); ``related_name``: the run's
    accessor for its outputs (``run.output_artifacts``), ``+`` for none."""
    field = models.ForeignKey(
        "lineagedb.Run", models.PROTECT, null=True, blank=True, default=_current_run_id, related_name=related_name
    )
    return _shared("run", field)


class Created(BaseRecord):
    """When a record was made, and by which user (the current one)."""

    created_at = _shared("created_at", created_at())
    created_by = _shared("created_by", created_by())

    class Meta:
        abstract = True


class Branched(Created):
    """A record that lives on a branch (1: main, -1: trash; see ``ln.setup.switch`` and ``delete()``) and in a
    space (``ln.Space``; None: the space ``all``, which every user of the instance sees)."""

    branch = _shared("branch", branch())
    space = _shared("space", models.ForeignKey("lineagedb.Space", models.PROTECT, null=True, blank=True, related_name="+"))

    class Meta:
        abstract = True


class Tracked(Branched):
    """A record made by a run (``run``; no accessor on the run unless the registry overrides ``run``)."""

    run = run_field()

    class Meta:
        abstract = True


class TracksUpdates(models.Model):
    """``updated_at``: when the row last changed."""

    updated_at = _shared("updated_at", models.DateTimeField(auto_now=True))

    class Meta:
        abstract = True
