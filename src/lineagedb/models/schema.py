"""The Schema registry: what a valid dataset looks like, saved and hashed.

The same definition always gives the same schema: saving a schema whose definition hash is already
in the instance returns the saved one. A partial unique constraint on ``hash`` (main branch) makes
this hold when several processes save the same new definition at once: one insert wins, the others
get the winner back.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction

from .. import errors
from ._base import describe_record, describe_registry, hybridmethod
from ._describe import Section
from ._feature_args import check_record_field_mappings
from ._fields import CoerceAlias, uid_field
from ._labels import LinkModel
from ._schema_def import (
    definition_hash,
    is_feature_itype,
    normalize_dtype,
    normalize_features,
    normalize_itype,
    normalize_organism,
    normalize_schema_kwargs,
)
from ._tracked import Tracked


class Schema(CoerceAlias, Tracked):
    """A set of features (or of registry values such as genes) with validation rules.

    >>> ln.Schema(itype=ln.Feature).save()  # doctest: +SKIP
    >>> ln.Schema(features=[perturbation, donor.with_config(optional=True)], index=sample_id).save()  # doctest: +SKIP
    >>> ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()  # doctest: +SKIP
    >>> ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int, organism="mouse").save()  # doctest: +SKIP
    >>> ln.Schema(otype="AnnData", slots={"obs": schema, "var.T": var_schema}).save()  # doctest: +SKIP
    """

    _positional = ("features",)  # ln.Schema([feature_a, feature_b], name=...)
    uid = uid_field(16)
    name = models.CharField(max_length=150, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    itype = models.CharField(max_length=120, null=True, blank=True, db_index=True)
    otype = models.CharField(max_length=64, null=True, blank=True)
    dtype = models.CharField(max_length=64, null=True, blank=True)
    n = models.IntegerField(null=True, blank=True)
    hash = models.CharField(max_length=64, db_index=True, null=True, blank=True)
    minimal_set = models.BooleanField(default=True)
    maximal_set = models.BooleanField(default=False)
    ordered_set = models.BooleanField(default=False)
    flexible = models.BooleanField(default=False)
    coerce_dtype = models.BooleanField(default=False)
    is_type = models.BooleanField(default=False)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="schemas")
    suffix = models.CharField(max_length=32, null=True, blank=True)  # the file format the schema describes
    config = models.JSONField(null=True, blank=True)  # anything else the definition needs
    index = models.ForeignKey("lineagedb.Feature", models.PROTECT, null=True, blank=True, related_name="+")
    features = models.ManyToManyField("lineagedb.Feature", through="lineagedb.SchemaFeature", related_name="schemas")
    components = models.ManyToManyField("self", through="lineagedb.SchemaComponent", symmetrical=False, related_name="composites")

    class Meta:
        app_label = "lineagedb"
        constraints = [
            # the same definition is the same schema, also under concurrent saves (trashed ones excluded)
            models.UniqueConstraint(fields=["hash"], condition=models.Q(branch=1), name="unique_schema_hash_main"),
        ]

    @classmethod
    def _describe_sections(cls) -> tuple[Section, ...]:
        """describe(): the definition (types, rules, index, features or members, slots)."""
        from ._describe_schema import schema_section

        return (schema_section,)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if (args and len(args) == len(self._meta.concrete_fields)) or "id" in kwargs:  # loaded from the database
            super().__init__(*args, **kwargs)
            self._pending = None
            return
        kwargs = normalize_schema_kwargs(args, kwargs)
        features = kwargs.pop("features", None)
        slots = kwargs.pop("slots", None)
        members = kwargs.pop("_members", None)  # registry records of a feature set (e.g. genes), see curators
        organism = kwargs.pop("organism", None)
        if "itype" in kwargs:
            kwargs["itype"] = normalize_itype(kwargs["itype"])
        if kwargs.get("dtype") is not None:
            kwargs["dtype"] = normalize_dtype(kwargs["dtype"])
        if organism is not None:
            kwargs["config"] = {**(kwargs.get("config") or {}), "organism": normalize_organism(organism, kwargs.get("itype"))}
        feature_list = normalize_features(features) if features is not None else []
        index = kwargs.get("index")
        if index is not None and getattr(index, "pk", None) is None:
            raise errors.InvalidArgument("the index feature is not saved yet: save it first (feature.save())")
        check_record_field_mappings([f for f, _ in feature_list], index)
        if slots is not None:
            if not isinstance(slots, dict) or not all(isinstance(s, Schema) for s in slots.values()):
                raise errors.InvalidArgument('slots must map slot names to schemas, e.g. {"obs": schema, "var.T": var_schema}')
            # features and slots together: the features are the dataset's own columns, a slot such as
            # "__external__" holds features given alongside (LaminDB's external features)
        if kwargs.get("itype") is None and (feature_list or index is not None):
            kwargs["itype"] = "Feature"
        if kwargs.get("flexible") is None:
            kwargs["flexible"] = features is None and slots is None
        if members is not None:
            kwargs["n"] = len(members)
        elif features is not None:
            kwargs["n"] = len(feature_list)
        super().__init__(**kwargs)
        self._pending = {"features": feature_list, "slots": dict(slots or {}), "members": members}

    # -- definition --------------------------------------------------------------------------
    @property
    def n_members(self) -> int | None:
        """The number of features (or registry records) of the schema; LaminDB's name for ``n``."""
        return self.n

    @property
    def organism(self) -> str | None:
        """The organism that gene (protein, ...) values of this schema resolve against; None: ``bt.settings.organism``.

        >>> ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int, organism="mouse").organism  # doctest: +SKIP
        'mouse'
        """
        return (self.config or {}).get("organism")

    @property
    def slots(self) -> dict[str, Schema]:
        """The component schemas of a composite schema, by slot (``{"obs": ..., "var.T": ...}``)."""
        if self._pending is not None and self._state.adding:
            return dict(self._pending["slots"])
        if "slots" not in self._saved_definition:  # a saved definition never changes: read it once
            links = SchemaComponent.objects.filter(composite=self).select_related("component").order_by("id")
            self._saved_definition["slots"] = {link.slot: link.component for link in links}
        return dict(self._saved_definition["slots"])

    @property
    def members(self) -> Any:
        """The features of this schema in their order, or the registry records of a feature set."""
        if self._pending is not None and self._state.adding:
            if self._pending["members"] is not None:
                return list(self._pending["members"])
            return [f for f, _ in self._pending["features"]]
        from ._schema_def import member_registry

        model = member_registry(self.itype)
        if model is not None and not is_feature_itype(self.itype):
            accessor = _member_accessor(model)
            return getattr(self, accessor).all() if accessor else model.objects.none()
        from .feature import Feature

        return Feature.objects.filter(links_schema__schema=self).order_by("links_schema__position")

    def feature_links(self) -> list[tuple[Any, bool]]:
        """``[(feature, optional), ...]`` in order (one query for a saved schema)."""
        if self._pending is not None and self._state.adding:
            return [(f, bool(c.get("optional"))) for f, c in self._pending["features"]]
        if "features" not in self._saved_definition:
            links = SchemaFeature.objects.filter(schema=self).select_related("feature").order_by("position")
            self._saved_definition["features"] = [(link.feature, link.optional) for link in links]
        return list(self._saved_definition["features"])

    @property
    def _saved_definition(self) -> dict[str, Any]:
        cache = self.__dict__.get("_definition_cache")
        if cache is None or cache.get("pk") != self.pk:
            cache = self.__dict__["_definition_cache"] = {"pk": self.pk}
        return cache

    @property
    def formats(self) -> Any:
        """Format-specific constraints that do not change what validates (``schema.formats.zarr = {...}``)."""
        from ._schema_extras import SchemaFormats

        return SchemaFormats(self)

    @property
    def optionals(self) -> Any:
        """The optional features of the schema: ``schema.optionals.get()``, ``.get_uids()``."""
        from ._schema_extras import SchemaOptionals

        return SchemaOptionals(self)

    def _describe_schema(self, return_str: bool = False) -> str | None:
        """Print the schema's definition as a tree (``return_str=True`` returns it)."""
        if self._state.adding:
            raise errors.InvalidArgument("Schema must be saved before describing: call schema.save() first")
        return describe_record(self, return_str=return_str)

    describe = hybridmethod(describe_registry, _describe_schema)

    def _definition_hash(self) -> str:
        pending = self._pending or {"features": [], "slots": {}, "members": None}
        for component in pending["slots"].values():
            if component._state.adding:
                component.save()
        return definition_hash(self, pending)

    def save(self, *args: Any, **kwargs: Any) -> Schema:  # type: ignore[override]  # returns the record (Django: None)
        """Save the schema; an identical definition already saved is returned instead.

        >>> schema = ln.Schema(itype=ln.Feature).save()  # doctest: +SKIP
        """
        if not self._state.adding or self._pending is None or self.is_type:
            if self._state.adding:
                self._pending = None
            return super().save(*args, **kwargs)
        self.hash = self._definition_hash()
        existing = Schema.objects.filter(hash=self.hash, branch=1).order_by("id").first()
        if existing is not None:
            return self._become(existing)
        try:
            self._insert(self._pending, *args, **kwargs)
        except IntegrityError:
            # another process saved the same definition between our check and our insert: use theirs
            existing = Schema.objects.filter(hash=self.hash, branch=1).order_by("id").first()
            if existing is None:
                raise
            self.pk = None
            return self._become(existing)
        self._pending = None
        return self

    def _become(self, existing: Schema) -> Schema:
        for f in self._meta.concrete_fields:
            setattr(self, f.attname, getattr(existing, f.attname))
        self._state.adding = False
        self._state.db = existing._state.db
        self._pending = None
        return self

    def _insert(self, pending: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        """Insert the row and the ``pending`` links in one savepoint, so an outer transaction survives a lost race."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            SchemaFeature.objects.bulk_create(
                [SchemaFeature(schema=self, feature=f, optional=bool(c.get("optional")), position=i)
                 for i, (f, c) in enumerate(pending["features"])]
            )
            SchemaComponent.objects.bulk_create(
                [SchemaComponent(composite=self, component=c, slot=s) for s, c in pending["slots"].items()]
            )
            if pending["members"]:
                _link_members(self, pending["members"])


def _member_accessor(model: type[models.Model]) -> str | None:
    """The name of the reverse relation from Schema to a registry whose ``schemas`` M2M points here."""
    try:
        field = model._meta.get_field("schemas")
    except Exception:  # noqa: BLE001 - the registry cannot be a feature-set member
        return None
    return getattr(field.remote_field, "related_name", None)  # None: not a forward relation


def _link_members(schema: Schema, members: list[Any]) -> None:
    """Link a new feature set to its registry records (e.g. genes) in one bulk insert."""
    model = type(members[0])
    if _member_accessor(model) is None:
        raise errors.InvalidArgument(f"{model.__name__} records cannot be schema members")
    field = model._meta.get_field("schemas")
    through = field.remote_field.through
    member_col, schema_col = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    pks = list(dict.fromkeys(m.pk for m in members))
    through.objects.bulk_create([through(**{member_col: pk, schema_col: schema.pk}) for pk in pks], batch_size=5000)


class SchemaFeature(LinkModel):
    schema = models.ForeignKey(Schema, models.CASCADE, related_name="links_feature")
    feature = models.ForeignKey("lineagedb.Feature", models.PROTECT, related_name="links_schema")
    optional = models.BooleanField(default=False)
    position = models.IntegerField(default=0)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("schema", "feature")]


class SchemaComponent(LinkModel):
    composite = models.ForeignKey(Schema, models.CASCADE, related_name="links_component")
    component = models.ForeignKey(Schema, models.PROTECT, related_name="links_composite")
    slot = models.CharField(max_length=64)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("composite", "slot")]
