"""Errors raised by lineagedb.

Every error says what went wrong and what to do about it. The query errors subclass Django's,
so both ``except ln.errors.DoesNotExist`` and ``except Model.DoesNotExist`` styles work.

>>> import lineagedb as ln
>>> try:  # doctest: +SKIP
...     ln.Artifact.get(key="missing.csv")
... except ln.errors.DoesNotExist as e:
...     print(e)
"""

from __future__ import annotations

from django.core.exceptions import FieldError, MultipleObjectsReturned, ObjectDoesNotExist


class LineageDBError(Exception):
    """Base class of every lineagedb error."""


class InvalidArgument(LineageDBError, ValueError):
    """An argument has the wrong form or names something that does not exist."""


class InvalidType(InvalidArgument, TypeError):
    """An argument is of the wrong type (also a ``TypeError``, as Python's own checks and LaminDB raise)."""


class InvalidLookup(InvalidArgument, FieldError):
    """A query names a field the registry does not have, or gives a relation a value it cannot match."""


class ValidationError(LineageDBError, ValueError):
    """Data or metadata did not validate against a feature, dtype or schema."""


class DoesNotExist(LineageDBError, ObjectDoesNotExist):
    """No record matched the query."""


class MultipleResultsFound(LineageDBError, MultipleObjectsReturned):
    """More than one record matched where exactly one was expected."""


class InstanceNotSetup(LineageDBError, RuntimeError):
    """No instance is connected and none can be found."""


class InstanceError(LineageDBError, RuntimeError):
    """An instance cannot be created, connected or migrated as asked."""


class ModuleNotMounted(LineageDBError, RuntimeError):
    """A schema module (e.g. ``bio``) is used on an instance that does not mount it."""


class StorageError(LineageDBError, OSError):
    """A storage location cannot be read or written."""


class UnknownStorageLocation(StorageError):
    """A path or URL lies in no storage location this instance knows."""


class IntegrityError(LineageDBError, RuntimeError):
    """Stored content does not match what the database says about it."""


class NotebookNotFound(LineageDBError, RuntimeError):
    """The running notebook's path could not be detected."""


class RunContextError(LineageDBError, RuntimeError):
    """The active run does not allow this call (a flow inside a tracked run, a step outside any run)."""


class TrackNotCalled(RunContextError):
    """``ln.finish()`` or a step needs a run that ``ln.track()`` or a flow started."""


class UnknownSuffix(LineageDBError, ValueError, NotImplementedError):
    """No reader or writer exists for a file suffix (also a ``NotImplementedError``, as in LaminDB)."""


class FieldValidationError(InvalidArgument):
    """A registry was given a keyword that is none of its fields, a positional argument it does not take, or a
    value outside a field's choices (LaminDB's name)."""


class NoWriteAccess(LineageDBError, PermissionError):
    """The database refused to write a row for this user (PostgreSQL row-level security)."""
