"""The Feature registry: typed measurement dimensions, and the values artifacts and runs carry."""

from __future__ import annotations

import warnings
from typing import Any

from django.db import models, transaction

from .. import errors
from ._base import BaseRecord
from ._fields import CoerceAlias, uid_field
from ._synonyms import HasSynonyms
from ._tracked import Tracked
from ._typed import unique_name_in_type
from .queryset import Manager


class Feature(CoerceAlias, HasSynonyms, Tracked):
    """A feature with a dtype (``float``, ``cat[Record]``, ``cat[bio.CellType]``, ...).

    Names are unique within a feature type (``is_type=True`` features group others, like folders).

    >>> ln.Feature(name="temperature", dtype=float, coerce=True).save()  # doctest: +SKIP
    >>> ln.Feature(name="disease", dtype=bt.Disease, cat_filters={"source__uid": "4a3ejKuf"})  # doctest: +SKIP
    >>> lab = ln.Feature(name="LabA", is_type=True).save()  # doctest: +SKIP
    >>> ln.Feature(name="sample_name", dtype=ln.Record, type=lab).save()  # doctest: +SKIP
    """

    uid = uid_field(12)
    name = models.CharField(max_length=150, db_index=True)
    dtype = models.CharField(max_length=255, db_index=True, null=True, blank=True)  # None only for types
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="features")
    is_type = models.BooleanField(default=False, db_index=True)
    values_through = models.CharField(max_length=255, null=True, blank=True)
    unit = models.CharField(max_length=30, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    nullable = models.BooleanField(default=True)
    coerce_dtype = models.BooleanField(default=False)
    default_value = models.JSONField(null=True, blank=True)
    synonyms = models.TextField(null=True, blank=True)

    class Meta:
        app_label = "lineagedb"
        constraints = unique_name_in_type("feature")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args:  # constructed by the user, not loaded from the database
            if kwargs.get("is_type") and kwargs.get("dtype") is None:
                kwargs.pop("dtype", None)
                if not kwargs.get("name") or not isinstance(kwargs["name"], str):
                    raise errors.InvalidArgument("a feature type needs a name: ln.Feature(name='LabA', is_type=True)")
            else:
                from ._feature_args import normalize_kwargs

                kwargs = normalize_kwargs(type(self), kwargs)
            if kwargs.get("type") is not None and not getattr(kwargs["type"], "is_type", False):
                from ._typed import not_a_type

                raise not_a_type(type(self), kwargs["type"])
        super().__init__(*args, **kwargs)

    # -- predicates: ln.Artifact.filter(temperature > 20), order_by(-temperature) --------------------
    def _should_build_model_predicate(self, other: Any) -> bool:
        """True if ``other`` is a record of this feature's categorical registry (then ``==`` is a predicate)."""
        from ._dtypes import dtype_info, is_categorical

        if self.is_type or not self.dtype or not is_categorical(self.dtype) or self.dtype in {"cat", "list[cat]"}:
            return False
        info = dtype_info(self.dtype)
        return isinstance(other, tuple(a.model for a in (info.alternatives or (info,))))

    def _predicate(self, comparator: str, other: Any) -> Any:
        from ._feature_predicates import FeaturePredicate

        return FeaturePredicate(self, comparator, other)

    def __eq__(self, other: object) -> Any:
        if isinstance(other, models.Model) and not self._should_build_model_predicate(other):
            return super().__eq__(other)
        return self._predicate("__exact", other)

    def __ne__(self, other: object) -> Any:
        if isinstance(other, models.Model) and not self._should_build_model_predicate(other):
            return not super().__eq__(other)
        return self._predicate("__ne", other)

    def __lt__(self, other: Any) -> Any:
        return self._predicate("__lt", other)

    def __le__(self, other: Any) -> Any:
        return self._predicate("__lte", other)

    def __gt__(self, other: Any) -> Any:
        return self._predicate("__gt", other)

    def __ge__(self, other: Any) -> Any:
        return self._predicate("__gte", other)

    def __neg__(self) -> Any:
        from ._feature_predicates import FeatureOrder

        return FeatureOrder(self, descending=True)

    __hash__ = BaseRecord.__hash__

    def is_null(self, flag: bool = True) -> Any:
        """A predicate: records without a value for this feature (``is_null(False)``: with one).

        >>> ln.Artifact.filter(donor.is_null())  # doctest: +SKIP
        """
        from ._feature_predicates import check_is_null_flag

        return self._predicate("__isnull", check_is_null_flag(flag))

    def with_config(self, **config: Any) -> tuple[Feature, dict[str, Any]]:
        """The feature with per-schema settings, for ``Schema(features=...)``.

        >>> ln.Schema(features=[perturbation, donor.with_config(optional=True)])  # doctest: +SKIP
        """
        unknown = set(config) - {"optional"}
        if unknown:
            raise errors.InvalidArgument(f"with_config() takes optional=True/False; got {sorted(unknown)}")
        return (self, dict(config))

    @classmethod
    def from_dataframe(cls, df: Any, field: Any = None, *, mute: bool = False, type: Feature | None = None) -> Any:
        """One unsaved feature per column, its dtype inferred from the column (``.save()`` saves them all).

        >>> ln.Feature.from_dataframe(df).save()  # doctest: +SKIP
        """
        from ._feature_infer import features_from_dataframe

        return features_from_dataframe(cls, df, field=field, type=type)

    @classmethod
    def from_df(cls, df: Any, field: Any = None, *, mute: bool = False, type: Feature | None = None) -> Any:
        """Deprecated name of :meth:`from_dataframe`."""
        warnings.warn("Feature.from_df() is deprecated; use Feature.from_dataframe()", DeprecationWarning, stacklevel=2)
        return cls.from_dataframe(df, field=field, mute=mute, type=type)

    @classmethod
    def from_dict(cls, dictionary: dict[str, Any], field: Any = None, *, mute: bool = False,
                  type: Feature | None = None, str_as_cat: bool | None = None) -> Any:
        """One unsaved feature per key, its dtype inferred from the value (strings: ``str``).

        >>> ln.Feature.from_dict({"temperature": 21.5, "tags": ["a", "b"]}).save()  # doctest: +SKIP
        """
        from ._feature_infer import features_from_dict

        return features_from_dict(cls, dictionary, field=field, type=type, str_as_cat=bool(str_as_cat))

    @property
    def related_feature(self) -> Feature | None:
        """The feature whose ``values_through`` names this one (its values relate to this feature's), or None.

        >>> target.values_through = source; target.save(); source.related_feature == target  # doctest: +SKIP
        True
        """
        if self.pk is None:
            return None
        return type(self).objects.filter(values_through=f"feature:{self.uid}").first()

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "values_through" and name in self.__dict__:  # after __init__: check and normalise
            from ._feature_args import set_values_through

            value = set_values_through(self, value)
        super().__setattr__(name, value)

    _adopts_existing = True  # save() and ln.save() return the stored feature of the same name and type

    def _check_adoptable(self, existing: Feature) -> None:
        """Refuse to stand in for a feature of the same name and type that has another dtype."""
        if existing.dtype != self.dtype:
            raise errors.ValidationError(
                f"feature {self.name!r} exists with dtype {existing.dtype!r}, not {self.dtype!r}: "
                f"use another name or ln.Feature.get(name={self.name!r})"
            )

    def save(self, *args: Any, **kwargs: Any) -> Feature:  # type: ignore[override]  # returns the record (Django: None)
        """Save; a feature of the same name, type and dtype that exists already is returned instead."""
        if self._state.adding:
            existing = type(self).objects.filter(name=self.name, type_id=self.type_id).first()
            if existing is not None:
                self._check_adoptable(existing)
                return self._adopt(existing)
        return super().save(*args, **kwargs)

    def delete(self, permanent: bool | None = None) -> Any:  # type: ignore[override]  # trash semantics (see BaseRecord.delete)
        """Trash (or, ``permanent=True``, remove) the feature; removing it also removes its stored values that
        no artifact, run or record uses any more, and is refused while some still do.

        >>> ln.Feature.get(name="temperature").delete(permanent=True)  # doctest: +SKIP
        """
        from django.db import transaction

        from ._trash import check_permanent

        if self.pk is None or self._state.adding or not check_permanent(type(self), permanent):
            return super().delete(permanent=permanent)
        with transaction.atomic():
            type(self)._drop_unused_values([self.pk])
            return super().delete(permanent=permanent)

    @classmethod
    def _drop_unused_values(cls, ids: list[int]) -> None:
        """Remove the stored values of these features that nothing uses; refuse if some are still used
        (called before features are removed for good, one by one or by ``queryset.delete(permanent=True)``)."""
        values = FeatureValue.objects.filter(feature_id__in=ids)
        links = [rel.name for rel in FeatureValue._meta.related_objects]  # every host's link table
        values.filter(**{f"{name}__isnull": True for name in links}).delete()
        names = list(values.values_list("feature__name", flat=True))
        if names:
            used = sorted(set(names))
            which = f"feature {used[0]!r}" if len(used) == 1 else f"features {used}"
            raise errors.InvalidArgument(
                f"{which} still has {len(names)} value(s) on artifacts, runs or records; remove them "
                f"first (e.g. artifact.features.remove_values({used[0]!r})), then delete the feature"
            )


TEXT_HEAD = 200  # leading characters of FeatureValue.text its index holds (a B-tree entry must stay small)


class TextHead(models.Func):
    """``SUBSTR(text, 1, 200)`` with literal bounds: an index on an expression serves only that same expression
    (Django's ``Substr`` sends its bounds as parameters in queries, and is ``SUBSTRING`` on PostgreSQL)."""

    template = f"SUBSTR(%(expressions)s, 1, {TEXT_HEAD})"
    output_field = models.TextField()


class FeatureValue(models.Model):
    """One distinct value of a non-categorical feature, shared by every artifact or run that has it.

    ``ln.models.JsonValue`` is LaminDB's name for it; ``artifact.json_values`` / ``run.json_values`` list a
    record's rows (``artifact.json_values.filter(feature=temperature)``).

    >>> row, existed = ln.models.JsonValue.get_or_create(temperature, 21.6)  # doctest: +SKIP
    """

    feature = models.ForeignKey(Feature, models.PROTECT, related_name="values")
    value = models.JSONField()
    hash = models.CharField(max_length=64, db_index=True)
    # typed copies for range lookups and indexes
    number = models.FloatField(null=True, blank=True, db_index=True)
    text = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # read-side many-to-many views of the link tables: artifact.json_values, run.json_values
    artifacts = models.ManyToManyField("lineagedb.Artifact", through="ArtifactFeatureValue", related_name="json_values")
    runs = models.ManyToManyField("lineagedb.Run", through="RunFeatureValue", related_name="json_values")

    objects = Manager()

    class Meta:
        app_label = "lineagedb"
        unique_together = [("feature", "hash")]
        # ``filter(experiment="E1")``: a text value is found by its feature and its head (values may be long)
        indexes = [models.Index(models.F("feature"), TextHead("text"), name="featurevalue_text_head")]

    @classmethod
    def filter(cls, *queries: Any, **expressions: Any) -> Any:
        """The value rows matching Django lookups, e.g. ``JsonValue.filter(feature=temperature)``."""
        return cls.objects.filter(*queries, **expressions)

    @classmethod
    def get_or_create(cls, feature: Feature, value: Any) -> tuple[FeatureValue, bool]:
        """The row holding ``value`` for ``feature`` and whether it existed (LaminDB's order: ``(row, existed)``).

        The value is stored as given (JSON); NaN, infinity and NUL characters are refused.
        """
        from django.db import IntegrityError

        from ._dtypes import to_json
        from ._features import _storable, typed_columns, value_hash

        if getattr(feature, "pk", None) is None:
            raise errors.InvalidArgument("get_or_create() takes a saved Feature; save it first")
        stored = _storable(feature.name, to_json(feature.dtype or "dict", value))
        digest = value_hash(stored)
        row = cls.objects.filter(feature=feature, hash=digest).first()
        if row is not None:
            return row, True
        try:
            number, text = typed_columns(feature.dtype, stored) if feature.dtype else (None, None)
        except (TypeError, ValueError):  # a value outside the feature's dtype: kept as JSON only
            number, text = None, None
        try:
            with transaction.atomic():
                return cls.objects.create(feature=feature, value=stored, hash=digest, number=number, text=text), False
        except IntegrityError:  # saved by someone else meanwhile
            return cls.objects.get(feature=feature, hash=digest), True


class ArtifactFeatureValue(models.Model):
    artifact = models.ForeignKey("lineagedb.Artifact", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey(FeatureValue, models.PROTECT, related_name="links_artifact")

    class Meta:
        app_label = "lineagedb"
        unique_together = [("artifact", "featurevalue")]


class RunFeatureValue(models.Model):
    run = models.ForeignKey("lineagedb.Run", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey(FeatureValue, models.PROTECT, related_name="links_run")

    class Meta:
        app_label = "lineagedb"
        unique_together = [("run", "featurevalue")]


class RecordFeatureValue(models.Model):
    record = models.ForeignKey("lineagedb.Record", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey(FeatureValue, models.PROTECT, related_name="links_record")

    class Meta:
        app_label = "lineagedb"
        unique_together = [("record", "featurevalue")]
