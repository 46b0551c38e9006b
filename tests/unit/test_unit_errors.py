"""lineagedb.errors: one base class, and each error also is the builtin or Django error callers expect."""

from __future__ import annotations

import inspect

import pytest
from django.core.exceptions import FieldError, MultipleObjectsReturned, ObjectDoesNotExist

from lineagedb import errors

# error -> the builtin (or Django) exceptions an ``except`` written for those must also catch
EXPECTED_BASES = {
    errors.InvalidArgument: (ValueError,),
    errors.InvalidLookup: (errors.InvalidArgument, ValueError, FieldError),
    errors.InvalidType: (errors.InvalidArgument, ValueError, TypeError),
    errors.ValidationError: (ValueError,),
    errors.DoesNotExist: (ObjectDoesNotExist,),
    errors.MultipleResultsFound: (MultipleObjectsReturned,),
    errors.InstanceNotSetup: (RuntimeError,),
    errors.InstanceError: (RuntimeError,),
    errors.ModuleNotMounted: (RuntimeError,),
    errors.StorageError: (OSError,),
    errors.UnknownStorageLocation: (errors.StorageError, OSError),
    errors.IntegrityError: (RuntimeError,),
    errors.NotebookNotFound: (RuntimeError,),
    errors.RunContextError: (RuntimeError,),
    errors.TrackNotCalled: (errors.RunContextError, RuntimeError),
    errors.UnknownSuffix: (ValueError, NotImplementedError),
    errors.FieldValidationError: (errors.InvalidArgument, ValueError),
    errors.NoWriteAccess: (PermissionError,),
}


def _all_errors() -> list[type]:
    return [obj for _, obj in inspect.getmembers(errors, inspect.isclass)
            if obj.__module__ == errors.__name__]


def test_every_error_is_listed_here():
    assert set(_all_errors()) == {errors.LineageDBError, *EXPECTED_BASES}


@pytest.mark.parametrize("cls", sorted(EXPECTED_BASES, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_error_subclasses_the_base_and_its_builtins(cls):
    assert issubclass(cls, errors.LineageDBError)
    for base in EXPECTED_BASES[cls]:
        assert issubclass(cls, base), f"{cls.__name__} must also be a {base.__name__}"


@pytest.mark.parametrize("cls", sorted(EXPECTED_BASES, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_error_keeps_its_message_and_is_caught_as_its_builtin(cls):
    builtin = EXPECTED_BASES[cls][-1]
    with pytest.raises(builtin) as info:
        raise cls("thing 'x' is wrong; do y")
    assert str(info.value) == "thing 'x' is wrong; do y"
    assert isinstance(info.value, errors.LineageDBError)


def test_errors_of_different_families_do_not_catch_each_other():
    assert not issubclass(errors.StorageError, ValueError)
    assert not issubclass(errors.InvalidArgument, RuntimeError)
    assert not issubclass(errors.ValidationError, errors.InvalidArgument)
    assert not issubclass(errors.DoesNotExist, errors.MultipleResultsFound)


def test_every_error_has_a_docstring():
    undocumented = [c.__name__ for c in _all_errors() if not (c.__doc__ or "").strip()]
    assert undocumented == []
