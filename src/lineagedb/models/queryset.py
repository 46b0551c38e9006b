"""The query layer every registry shares: Django querysets plus to_dataframe, one, search, ...

>>> ln.Artifact.filter(key__startswith="my_datasets/").to_dataframe()  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models

from .. import errors

if TYPE_CHECKING:
    import pandas as pd

# hooks other capabilities plug in, each keyed by what it handles


class QuerySet(models.QuerySet[Any]):
    """A Django QuerySet with lineagedb's conveniences (over any registry: each brings its own class attributes)."""

    def to_dataframe(
        self, include: str | list[str] | None = None, features: bool | list[str] = False, limit: int | None = 100
    ) -> pd.DataFrame:
        """Records as a DataFrame: one column per field; with ``include`` or ``features``, ``uid`` and the name
        field plus the related fields named in ``include`` (and one column per feature).

        ``include`` takes lookups across relations (``"created_by__handle"``, ``"records__name"``);
        many-valued ones become sets per row. ``include="features"`` adds one column per feature,
        ``features=["name", ...]`` the named ones (``features=True`` is LaminDB's deprecated spelling).
        """
        from ._dataframe import queryset_to_dataframe

        if isinstance(include, str):
            include = [include]
        if features is True:
            warnings.warn('`features=True` is deprecated, pass `include="features"` instead.', DeprecationWarning,
                          stacklevel=2)
        if include and "features" in include:
            include = [i for i in include if i != "features"]
            features = True
        df = queryset_to_dataframe(self, include or [], limit, compact=bool(include or features))
        if features:
            if getattr(self.model, "_feature_values", None) is None:
                raise errors.InvalidArgument(f"{self.model.__name__} has no features to show")
            from ._feature_hooks import features_dataframe

            df = features_dataframe(self, df, features)
            if include:  # the record's columns, the features, then what include asked for
                from ._dtypes import default_field

                shown = {"uid", default_field(self.model)}  # in the compact frame anyway
                asked = [c for c in dict.fromkeys(include) if c in df.columns and c not in shown]
                df = df[[c for c in df.columns if c not in asked] + asked]
        return df

    df = to_dataframe

    def one(self) -> Any:
        """Exactly one record, else DoesNotExist or MultipleResultsFound."""
        items = list(self[:2])
        if not items:
            raise self.model.DoesNotExist(f"no {self.model.__name__} matches this query")
        if len(items) > 1:
            raise self.model.MultipleObjectsReturned(f"more than one {self.model.__name__} matches this query")
        return items[0]

    def one_or_none(self) -> Any:
        """The one matching record, None if there is none, MultipleResultsFound if there are several."""
        items = list(self[:2])
        if len(items) > 1:
            raise self.model.MultipleObjectsReturned(f"more than one {self.model.__name__} matches this query")
        return items[0] if items else None

    def search(self, string: str, field: Any = None, limit: int | None = 20) -> QuerySet:
        """Ranked search within this queryset (see ``Registry.search``)."""
        from ._search import search

        return search(self, string, field=field, limit=limit)

    def lookup(self, field: Any = None) -> Any:
        from ._search import lookup

        return lookup(self, field=field)

    def filter(self, *queries: Any, **expressions: Any) -> QuerySet:
        return self._translated(super().filter, queries, expressions)

    def exclude(self, *queries: Any, **expressions: Any) -> QuerySet:
        return self._translated(super().exclude, queries, expressions)

    def order_by(self, *fields: Any) -> QuerySet:
        """Django's ``order_by``; a Feature (or ``-feature``) sorts by its value (records without one are left out)."""
        from ._feature_predicates import translate_ordering

        ordering, having = translate_ordering(self.model, fields)
        qs = super().filter(*having) if having else self
        return models.QuerySet.order_by(qs, *ordering)

    def _translated(self, method: Any, queries: tuple, expressions: dict[str, Any]) -> QuerySet:
        """Validate lookups (and let capabilities translate feature names, ...) before Django sees them."""
        from ._filters import translate

        queries, expressions = translate(self.model, queries, expressions)
        try:
            return method(*queries, **expressions)
        except FieldError as e:  # e.g. an unsupported lookup such as key__nosuch=...
            raise errors.InvalidArgument(f"invalid query on {self.model.__name__}: {e}") from None
        except errors.LineageDBError:
            raise
        except (ValueError, TypeError, DjangoValidationError) as e:  # e.g. n_observations__gt="many"
            message = "; ".join(e.messages) if isinstance(e, DjangoValidationError) else str(e)
            raise errors.InvalidArgument(
                f"invalid value in a query on {self.model.__name__} ({', '.join(expressions) or 'filter'}): {message}"
            ) from None

    def get(self, *args: Any, **kwargs: Any) -> Any:
        from ._filters import get

        return get(self, *args, **kwargs)

    def _django_get(self, *args: Any, **kwargs: Any) -> Any:
        return super().get(*args, **kwargs)

    def delete(self, permanent: bool | None = None, storage: bool | None = None) -> Any:
        """Move the matched records to the trash, or remove them (``permanent=True``, or a registry
        without a trash). Registries whose records own stored bytes or versions
        (``_delete_per_record``) go through each record's ``delete()`` so trash, latest-version
        promotion and the removal of managed bytes happen exactly as for one record (``storage`` is passed on
        to them: ``Artifact.delete(storage=...)``).

        >>> ln.Record.filter(name__startswith="tmp_").delete(permanent=True)  # doctest: +SKIP
        """
        from ._trash import check_permanent, delete_rows, trash_rows

        removing = check_permanent(self.model, permanent)
        if getattr(self.model, "_delete_per_record", False):
            records = list(self)
            extra = {} if storage is None else {"storage": storage}
            for record in records:
                record.delete(permanent=permanent, **extra)
            return len(records), {self.model._meta.label: len(records)}
        if removing:
            if hasattr(self.model, "_drop_unused_values"):  # features: their unused stored values go first
                self.model._drop_unused_values(list(self.values_list("pk", flat=True)))
            remove = super().delete
            if hasattr(self.model, "_remove_rows"):  # runs and transforms: see _run_delete
                return delete_rows(self, lambda: self.model._remove_rows(self, remove))
            return delete_rows(self, remove)
        trash_rows(self)
        return None

    def delete_rows(self) -> Any:
        """Django's bulk delete of the matched rows, bypassing per-record ``delete()`` (for internals that
        already handle trash and stored bytes themselves)."""
        return super().delete()

    def to_list(self, field: Any = None) -> list:
        """All records as a list, or the values of one field (a name or ``ln.Record.name``).

        >>> ln.Record.filter(type=experiment_type).to_list("name")  # doctest: +SKIP
        """
        if field is None:
            return list(self)
        from ._fields import field_name

        return list(self.values_list(field_name(field), flat=True))

    list = to_list

    def validate(self, values: Any, field: Any = None) -> Any:
        """Is each value saved in this queryset (on ``field``, default: the main field)? See ``Registry.validate``."""
        from ._curate import validate

        return validate(self, values, field)

    def inspect(self, values: Any, field: Any = None, show: bool = True) -> Any:
        """Validated and non-validated values, with synonym fixes, within this queryset."""
        from ._curate import inspect

        return inspect(self, values, field, show=show)

    def standardize(self, values: Any, field: Any = None, mapper: bool = False) -> Any:
        """Synonyms and case variants -> canonical values saved in this queryset."""
        from ._curate import standardize

        return standardize(self, values, field, mapper=mapper)

    def describe(self, return_str: bool = False) -> str | None:
        """The registry's fields, then one line per record (at most 20).

        >>> ln.Record.filter(is_type=True).describe()  # doctest: +SKIP
        """
        from ._describe_registry import record_repr, registry_repr

        records = list(self[:21])
        lines = [registry_repr(self.model), f"  Records ({self.count() if len(records) > 20 else len(records)})"]
        lines += [f"    {record_repr(r)}" for r in records[:20]]
        text = "\n".join(lines)
        if return_str:
            return text
        print(text)
        return None


class Manager(models.Manager.from_queryset(QuerySet)):  # type: ignore[misc]
    """Default manager: hides trashed records unless the query asks for them (see ``_filters``)."""

    def get_queryset(self) -> QuerySet:
        return QuerySet(self.model, using=self._db)


def values_of(records: Iterable[Any], field: str) -> list:
    return [getattr(r, field) for r in records]
