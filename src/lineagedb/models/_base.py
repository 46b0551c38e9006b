"""What every registry shares: class-level queries, a one-line repr, describe(), errors."""

from __future__ import annotations

from collections.abc import Callable
from types import MethodType
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db import ProgrammingError, models
from django.db.models.base import ModelBase
from django.db.models.fields.related_descriptors import ManyToManyDescriptor
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import class_prepared

from .. import errors
from ..core.context import get_branch_id, visible_branch_ids
from ._describe import Section, fields_section
from ._fast_get import MISS, fast_get
from ._trash import has_branch_column
from .queryset import Manager, QuerySet

TRASH = -1
MAIN = 1


class hybridmethod:
    """A method that works on the class and on an instance, with a different function for each."""

    def __init__(self, on_class: Callable, on_instance: Callable | None = None) -> None:
        self.on_class, self.on_instance = on_class, on_instance

    def instance(self, fn: Callable) -> hybridmethod:
        self.on_instance = fn
        return self

    def __get__(self, obj: Any, cls: type) -> Callable:
        if obj is None:
            return MethodType(self.on_class, cls)
        if self.on_instance is None:
            raise AttributeError(f"{cls.__name__}.{self.on_class.__name__} works on the class only")
        return MethodType(self.on_instance, obj)


class _ClassOnlyMethod(classmethod):
    """A class method that refuses to run on an instance (``ln.ULabel.validate(...)``, not ``label.validate``):
    calling it on a record raises ``TypeError`` naming the class to call it on."""

    def __get__(self, obj: Any, cls: type | None = None) -> Callable:
        if obj is None:
            return super().__get__(obj, cls)
        name, owner = self.__func__.__name__, type(obj).__name__

        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise TypeError(
                f"{owner}.{name}() is a class method and must be called on the {owner} class, not on a {owner} "
                f"object: use {owner}.{name}(...)"
            )

        return refuse


if TYPE_CHECKING:  # to a type checker it is a class method (the refusal on instances happens at run time)
    classonlymethod = classmethod
else:
    classonlymethod = _ClassOnlyMethod


class RegistryMeta(ModelBase):
    """Metaclass of registries: ``repr(ln.Artifact)`` lists the registry's fields, and positional
    construction arguments become the keywords the registry declares in ``_positional``."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        model = cast("type[BaseRecord]", cls)  # the metaclass of registries only
        if args:
            if len(args) == len(model._meta.concrete_fields):  # Django's from_db(*values)
                return super().__call__(*args, **kwargs)
            kwargs = positional_to_keywords(model, args, kwargs)
        if model._choices:
            check_choices(model, kwargs)
        if isinstance(kwargs.get("key"), str):
            from ..core.storage import validate_key

            kwargs["key"] = validate_key(kwargs["key"])  # refused at construction, NFC from here on
        return super().__call__(**kwargs)

    def __repr__(cls) -> str:
        model = cast("type[BaseRecord]", cls)  # the metaclass of registries only
        if model._meta.abstract:
            return super().__repr__()
        from ._describe_registry import registry_repr

        return registry_repr(model)

    def __dir__(cls) -> list[str]:
        """What works on the class, for tab completion: fields, class methods, managers, nested classes; the
        instance methods (``save``, ``delete``, ...) are left out (``dir(record)`` lists them)."""
        import inspect
        from functools import partialmethod
        from types import FunctionType

        return [name for name in super().__dir__()
                if name.startswith("__")
                or not isinstance(inspect.getattr_static(cls, name, None), (FunctionType, partialmethod))]


def _attach_errors(sender: type, **_: Any) -> None:
    """Make each registry's DoesNotExist/MultipleObjectsReturned also lineagedb errors."""
    if not issubclass(sender, BaseRecord):
        return
    if not issubclass(sender.DoesNotExist, errors.DoesNotExist):
        sender.DoesNotExist = type("DoesNotExist", (sender.DoesNotExist, errors.DoesNotExist), {"__module__": sender.__module__})
    if not issubclass(sender.MultipleObjectsReturned, errors.MultipleResultsFound):
        sender.MultipleObjectsReturned = type(
            "MultipleObjectsReturned", (sender.MultipleObjectsReturned, errors.MultipleResultsFound), {"__module__": sender.__module__}
        )


class_prepared.connect(_attach_errors)


class FieldAttr(DeferredAttribute):
    """A registry's field as a class attribute (``ln.Feature.name``): usable as ``field=`` and readable in a repr."""

    def __repr__(self) -> str:
        return f"FieldAttr({self.field.model.__name__}.{self.field.name})"


def _name_field_attributes(sender: type, **_: Any) -> None:
    if not issubclass(sender, BaseRecord):
        return
    for f in sender._meta.concrete_fields:
        if type(sender.__dict__.get(f.attname)) is DeferredAttribute:
            setattr(sender, f.attname, FieldAttr(f))


class_prepared.connect(_name_field_attributes)


class UnsavedGuard:
    """Mixed into many-to-many accessors: says what to do when the record is not saved yet."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is not None and instance.pk is None:
            raise errors.InvalidArgument(
                f"You are trying to access the many-to-many relationships of an unsaved {type(instance).__name__} "
                "object. Please save it first using '.save()'."
            )
        return super().__get__(instance, cls)  # type: ignore[misc]


_GUARDED: dict[type, type] = {}


def guard_many_to_many(models_: Any) -> None:
    """Give every registry's many-to-many accessors (both directions, custom ones too) the unsaved-record message.

    Called once all models are loaded (``AppConfig.ready``), when reverse accessors exist too.
    """
    for model in models_:
        if not issubclass(model, BaseRecord):
            continue
        for value in list(vars(model).values()):
            if isinstance(value, ManyToManyDescriptor) and not isinstance(value, UnsavedGuard):
                kind = type(value)
                if kind not in _GUARDED:
                    _GUARDED[kind] = type(f"Guarded{kind.__name__}", (UnsavedGuard, kind), {"__module__": __name__})
                value.__class__ = _GUARDED[kind]


def check_keywords(model: type[BaseRecord], kwargs: dict[str, Any]) -> None:
    """Refuse keyword arguments that name no field of the registry (Django would raise a bare TypeError).

    >>> ln.Record(nmae="typo")  # doctest: +SKIP
    FieldValidationError: Only uid, name, description, ... are valid keyword arguments; Record() got 'nmae'
    """
    for key in kwargs:
        if key.endswith("_id") and key[:-3] in kwargs:  # ln.Record(space=space, space_id=space.id)
            value = kwargs[key[:-3]]
            kind = type(value).__name__ if isinstance(value, models.Model) else key[:-3].capitalize()
            raise errors.InvalidArgument(
                f"Do not pass both {kind} and its id: {model.__name__}() got {key[:-3]}= and {key}=; pass one of them"
            )
    allowed = model.__dict__.get("_keywords_cache")
    if allowed is None:
        allowed = set(model._meta._property_names)  # type: ignore[attr-defined]  # Django's cached property, not in its stubs
        for f in model._meta.get_fields():
            allowed.add(f.name)
            allowed.add(getattr(f, "attname", f.name))
        model._keywords_cache = allowed
    unknown = [k for k in kwargs if k not in allowed]
    if unknown:
        valid = [f.name for f in model._meta.concrete_fields if f.name != "id" and not f.name.startswith("_")]
        valid += [k for k in model._constructor_keywords if k not in valid]
        raise errors.FieldValidationError(
            f"Only {', '.join(valid)} are valid keyword arguments; {model.__name__}() got "
            f"{', '.join(map(repr, unknown))}"
        )


def column_keywords(model: type[BaseRecord]) -> set[str]:
    """The keywords that set a registry's columns: field names, their attnames (``space_id``) and, for a registry
    living on a branch, ``branch_id`` (a property over the ``branch`` column); for constructors that check
    their keywords themselves (``Feature``, ``Schema``)."""
    from ._trash import has_branch_column

    fields = model._meta.concrete_fields
    names = {f.name for f in fields} | {f.attname for f in fields}
    return (names | {"branch_id"}) if has_branch_column(model) else names


def check_choices(model: type[BaseRecord], kwargs: dict[str, Any]) -> None:
    """Refuse a value outside a field's declared ``_choices`` (``ln.Transform(kind="invalid")``)."""
    for name, allowed in model._choices.items():
        value = kwargs.get(name)
        if value is not None and value not in allowed:
            raise errors.FieldValidationError(
                f"{model.__name__}.{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}"
            )


def positional_to_keywords(model: type[BaseRecord], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Name the positional arguments of ``Model(*args)`` after the registry's ``_positional`` fields.

    >>> positional_to_keywords(ln.Run, (transform,), {})  # doctest: +SKIP
    {'transform': transform}
    """
    names = model._positional
    if len(args) > len(names):
        if len(names) == 1:
            raise errors.FieldValidationError(f"Only one non-keyword arg allowed: {names[0]}; pass the rest by name")
        fields = {f.name for f in model._meta.concrete_fields}
        example = names[0] if names else next((f for f in ("name", "key", "root") if f in fields), "uid")
        accepted = f" (only {', '.join(names)} may be positional)" if names else ""
        raise errors.FieldValidationError(
            f"Use keyword arguments instead of positional arguments, e.g.: {model.__name__}({example}='...'){accepted}"
        )
    named = dict(zip(names, args))
    both = sorted(set(named) & set(kwargs))
    if both:
        raise errors.InvalidArgument(f"{model.__name__}() got {both[0]!r} both positionally and as a keyword; pass it once")
    return {**named, **kwargs}


def _place_on_branch(model: type[BaseRecord], kwargs: dict[str, Any]) -> None:
    """A new record of a registry with a ``branch`` column lives on the current branch (``ln.setup.switch``)
    unless ``branch=``/``branch_id=`` says otherwise; ``branch=`` also takes a Branch record."""
    from ._trash import has_branch_column

    if not has_branch_column(model):
        return
    if "branch_id" in kwargs:
        kwargs["branch"] = kwargs.pop("branch_id")
    given = kwargs.get("branch")
    if isinstance(given, models.Model):
        if given.pk is None:
            raise errors.InvalidArgument(f"{model.__name__}(branch=...): save the branch {given!r} first")
        kwargs["branch"] = given.pk
    elif given is None:
        kwargs["branch"] = get_branch_id()


def registry_frame(cls: type[BaseRecord], include: str | list[str] | None = None, features: bool | list[str] = False,
                   limit: int | None = 100) -> Any:
    """``Registry.to_dataframe()``: the latest records as a DataFrame (``limit`` rows, newest first)."""
    qs = cls._visible({}).order_by("-id")
    return qs.to_dataframe(include=include, features=features, limit=limit)


def describe_registry(cls: type[BaseRecord], return_str: bool = False) -> str | None:
    """``Registry.describe()``: print the registry's fields and relations (``return_str=True`` returns them)."""
    from ._describe_registry import registry_repr

    text = registry_repr(cls)
    if return_str:
        return text
    print(text)
    return None


def describe_record(self: BaseRecord, return_str: bool = False, include: str | list[str] | None = None) -> str | None:
    """Print a rich tree of this record (``return_str=True`` returns it as text; ``include="comments"`` adds
    the comments of a record with notes)."""
    from ._describe import describe

    return describe(self, return_str=return_str, include=include)


class BaseRecord(models.Model, metaclass=RegistryMeta):
    """Base of every registry."""

    objects = Manager()
    _choices: dict[str, tuple[Any, ...]] = {}  # fields that take one of a few values: {"kind": ("script", ...)}
    _positional: tuple[str, ...] = ()  # fields that may be passed positionally, in order: ``ln.Run(transform)``
    _name_field: str | None = None  # the field that names a record for people; None: name, else key, else uid
    _labels_as_links: bool = False  # categorical feature values kept as label links (artifact.ulabels, .records, ...)
    _list_columns: tuple[str, ...] = ()  # what lists show after the name and uid (empty: the first plain fields)
    _display_relations: tuple[str, ...] = ()  # relations _display_name() reads (lists fetch them with the rows)
    _hidden: dict[str, Any] = {}  # records left out of class-level queries unless the query names the field
    _query_aliases: dict[str, str] = {}  # query names that are a path through relations: {"transform": "run__transform"}
    _required: tuple[str, ...] | None = None  # fields a constructor must get; None: text fields without default or null
    _constructor_keywords: tuple[str, ...] = ()  # what the constructor takes besides fields (``features=``), for messages
    # per-registry caches, each set on the registry's own class on first use (read through ``cls.__dict__``)
    _keywords_cache: ClassVar[set[str]]  # the keywords a constructor accepts (check_keywords)
    _required_cache: ClassVar[tuple[str, ...]]  # the fields a constructor must get (_checks._required)
    _length_limits_cache: ClassVar[list[tuple[str, int]]]  # (column, max characters) of text fields (check_lengths)

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args:  # constructed by a user (Django's from_db passes positional values)
            from ._checks import check_required, check_validators

            if kwargs:
                check_keywords(type(self), kwargs)
            check_required(type(self), kwargs)
            check_validators(type(self), kwargs)
            _place_on_branch(type(self), kwargs)
        super().__init__(*args, **kwargs)

    @classmethod
    def _describe_sections(cls) -> tuple[Section, ...]:
        """What ``describe()`` shows below the title, in order: functions ``(record, tree)`` that add branches to a
        ``rich.tree.Tree`` (see ``_describe.py``). The default: the record's plain fields; registries override it.

        >>> ln.Artifact._describe_sections()  # doctest: +SKIP
        (<function artifact_section>, <function artifact_schema_section>, <function describe_features>)
        """
        return (fields_section,)

    @classmethod
    def _concrete_registry(cls) -> type[BaseRecord]:
        """The registry whose table holds this class's rows: the class itself, or the registry a proxy stands for."""
        return cast("type[BaseRecord]", cls._meta.concrete_model)

    def _display_name(self) -> str | None:
        """A short name for people (the value of the class's name field); lists, pages and graphs show it.

        >>> ln.Artifact.get(key="my.csv")._display_name()  # doctest: +SKIP
        'my.csv'
        """
        from ._dtypes import default_field

        field = default_field(type(self))
        return None if field == "uid" else (str(getattr(self, field, None) or "") or None)

    # -- class-level query API -------------------------------------------------------------
    @classmethod
    def _extra_lookup(cls, key: str, value: Any) -> Any:
        """The ``Q`` for a lookup that names no field (None: unknown); registries with features know their names.

        >>> ln.Artifact.filter(temperature__gt=20)  # a feature, not a field  # doctest: +SKIP
        """
        if getattr(cls, "_feature_values", None) is None:
            return None
        from ._feature_hooks import feature_filter

        return feature_filter(cls, key, value)

    @classmethod
    def _visible(cls, expressions: dict[str, Any]) -> QuerySet:
        qs = cls.objects.all()
        heads = {k.split("__")[0] for k in expressions}
        pinned = bool(heads & {"uid", "id", "pk"})
        if has_branch_column(cls) and not pinned and not heads & {"branch", "branch_id"}:
            branches = visible_branch_ids()
            qs = qs.filter(branch=MAIN) if branches == (MAIN,) else qs.filter(branch__in=branches)
        hidden = {f: v for f, v in cls._hidden.items() if f not in heads}
        if hidden and not pinned:
            qs = qs.exclude(**hidden)
        if "branch_id" in expressions:
            expressions["branch"] = expressions.pop("branch_id")
        if "branch" in expressions and expressions["branch"] is None:  # branch_id=None: every branch
            del expressions["branch"]
        return qs

    @classmethod
    def filter(cls, *queries: Any, **expressions: Any) -> QuerySet:
        """Records matching Django lookups (``key__startswith="x/"``, ``Q(...)``), trash hidden.

        >>> ln.Artifact.filter(suffix=".parquet").to_dataframe()  # doctest: +SKIP
        """
        return cls._visible(expressions).filter(*queries, **expressions)

    @classmethod
    def exclude(cls, *queries: Any, **expressions: Any) -> QuerySet:
        return cls._visible({}).exclude(*queries, **expressions)

    @classmethod
    def __get_available_fields__(cls) -> set[str]:
        """The field names a query on this registry accepts (a proxy model answers for its registry).

        >>> "key" in ln.Artifact.__get_available_fields__()  # doctest: +SKIP
        True
        """
        return {f.name for f in cls._concrete_registry()._meta.get_fields()} | set(cls._query_aliases)

    @classmethod
    def get(cls, *args: Any, **kwargs: Any) -> Any:
        """One record by uid, uid prefix or fields; a versioned family gives its latest version.

        >>> ln.Artifact.get(key="my_datasets/rnaseq1.parquet")  # doctest: +SKIP
        """
        if not args:  # get(key=...), get(uid=...), get(id=...): prepared SQL, no queryset (see _fast_get)
            record = fast_get(cls, kwargs)
            if record is not MISS:
                return record
        pinned = dict(kwargs)
        if args and isinstance(args[0], str):
            pinned["uid"] = args[0]
        return cls._visible(pinned).get(*args, **kwargs)

    @classmethod
    def all(cls) -> QuerySet:
        return cls._visible({})

    @classmethod
    def to_dataframe(cls, include: str | list[str] | None = None, features: bool | list[str] = False,
                     limit: int | None = 100) -> Any:
        """The latest records as a DataFrame (``limit`` rows, newest first)."""
        return registry_frame(cls, include=include, features=features, limit=limit)

    df = to_dataframe

    @classmethod
    def search(cls, string: str, field: Any = None, limit: int | None = 20) -> QuerySet:
        """Ranked search: exact, synonym, prefix, word, substring, then fuzzy matches.

        >>> ln.Transform.search("tutor").to_dataframe()  # doctest: +SKIP
        """
        return cls._visible({}).search(string, field=field, limit=limit)

    @classmethod
    def lookup(cls, field: Any = None) -> Any:
        """An object with tab-completable attributes mapping names to records."""
        return cls._visible({}).lookup(field=field)

    @classonlymethod
    def validate(cls, values: Any, field: Any = None) -> Any:
        """A boolean array: is each value saved (matched on ``field``, default: the main field)?

        >>> ln.User.validate(["alice", "nobody"], ln.User.handle)  # doctest: +SKIP
        array([ True, False])
        """
        return cls._visible({}).validate(values, field)

    @classonlymethod
    def inspect(cls, values: Any, field: Any = None, *, show: bool = True) -> Any:
        """Validated and non-validated values, with the synonyms or case variants that would fix them."""
        return cls._visible({}).inspect(values, field, show=show)

    @classonlymethod
    def standardize(cls, values: Any, field: Any = None, *, mapper: bool = False) -> Any:
        """Map synonyms and case variants to the canonical saved values (``mapper=True``: only the changes)."""
        return cls._visible({}).standardize(values, field, mapper=mapper)

    describe = hybridmethod(describe_registry, describe_record)

    # -- instance helpers ------------------------------------------------------------------
    def __repr__(self) -> str:
        from ._describe_registry import record_repr

        return record_repr(self)

    __str__ = __repr__

    def save(self, *args: Any, **kwargs: Any) -> Any:
        """Write the record to the database and return it (so calls chain)."""
        check_lengths(self)
        try:
            super().save(*args, **kwargs)
        except ProgrammingError as e:
            if "row-level security" not in str(e):
                raise
            raise errors.NoWriteAccess(
                f"You are not allowed to write to this space: the database refused this {type(self).__name__} row "
                f"({str(e).strip()}). Ask the instance's admin for write access"
            ) from None
        return self

    def delete(self, permanent: bool | None = None) -> Any:  # type: ignore[override]
        """Move to the trash (registries with a ``branch``) or, with ``permanent=True`` or for registries
        without a trash, remove the row and return Django's ``(count, {label: count})``.

        >>> ln.Record.get(name="DMSO").delete()                  # doctest: +SKIP
        >>> ln.Storage.get(root="/tmp/old").delete()             # doctest: +SKIP
        """
        from ._trash import delete_record

        return delete_record(self, permanent, lambda: models.Model.delete(self))

    @property
    def branch_id(self) -> int | None:
        """1 on the main branch, -1 in the trash (LaminDB's Branch ids); None for registries without branches.

        >>> ln.Record.get(name="DMSO").branch_id  # doctest: +SKIP
        1
        """
        return self.__dict__.get("branch")

    @branch_id.setter
    def branch_id(self, value: int) -> None:
        self.__dict__["branch"] = value  # the column's value, as Django's field attribute stores it

    def _adopt(self, existing: Any) -> Any:
        """Become ``existing`` (the saved record this unsaved one duplicates); a trashed one comes back."""
        from ._trash import is_trashed, restore_record

        self.__dict__.update({k: v for k, v in existing.__dict__.items() if k != "_state"})
        self._state.adding, self._state.db = False, existing._state.db
        if is_trashed(self):
            restore_record(self)
        return self

    def restore(self) -> Any:
        """Take this record out of the trash and return it.

        >>> ln.Record.filter(name="DMSO", branch=-1).one().restore()  # doctest: +SKIP
        """
        from ._trash import restore_record

        return restore_record(self)


MAX_TEXT_CHARS = 1_000_000  # descriptions and other free text; a transform's source code may be longer
_TEXT_LIMITS = {"source_code": 100_000_000}


def _length_limits(model: type[BaseRecord]) -> list[tuple[str, int]]:
    limits = model.__dict__.get("_length_limits_cache")
    if limits is None:
        limits = []
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField) and f.max_length:
                limits.append((f.attname, f.max_length))
            elif isinstance(f, models.TextField):
                limits.append((f.attname, _TEXT_LIMITS.get(f.name, MAX_TEXT_CHARS)))
        model._length_limits_cache = limits
    return limits


def check_lengths(record: Any) -> None:
    """Refuse strings longer than their field allows (SQLite would store them, PostgreSQL would fail late).

    >>> check_lengths(ln.Record(name="x" * 10_000))  # doctest: +SKIP
    InvalidArgument: Record.name is 10,000 characters long; the limit is 150 ...
    """
    for name, limit in _length_limits(type(record)):
        value = record.__dict__.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise errors.InvalidArgument(
                f"{type(record).__name__}.{name.lstrip('_')} is {len(value):,} characters long; the limit is "
                f"{limit:,}. Shorten it (store long content as an artifact instead)"
            )
