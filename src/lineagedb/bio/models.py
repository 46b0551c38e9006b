"""Biological registries (Django app ``bio``), each a label registry linked to artifacts.

Ontology-backed records get uids derived from their ontology id, so two instances agree.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from ..core.uids import base62, base62_from_text
from ..models._base import classonlymethod
from ..models._labels import label_link
from ..models._synonyms import HasAbbr, HasSynonyms
from ..models._tracked import Branched, Tracked


def _uid() -> str:
    return base62(8)


class BioRecord(HasSynonyms, HasAbbr, Tracked):
    """Fields every ontology-backed registry shares."""

    uid = models.CharField(max_length=8, unique=True, default=_uid, editable=False)
    name = models.CharField(max_length=256, db_index=True)
    ontology_id = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    abbr = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    synonyms = models.TextField(null=True, blank=True)  # "|"-separated
    description = models.TextField(null=True, blank=True)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    source = models.ForeignKey("bio.Source", models.PROTECT, null=True, blank=True, related_name="+")

    _id_field = "ontology_id"

    class Meta:
        abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args and "uid" not in kwargs:
            ident = kwargs.get(self._id_field)
            if ident:
                kwargs["uid"] = base62_from_text(f"{type(self).__name__}:{ident}", 8)
        super().__init__(*args, **kwargs)

    # -- public sources (see lineagedb.bio._public / _registry) -----------------------------------
    @classmethod
    def check_organism(cls, organism: str) -> None:
        """Raise a lineagedb error unless a public source of this registry covers ``organism``.

        >>> bt.Gene.check_organism("mouse")  # doctest: +SKIP
        """
        from ._public import choose_spec

        choose_spec(cls, organism=organism)

    @classmethod
    def public(cls, organism: Any = None, source: Any = None) -> Any:
        """The public ontology behind this registry, read offline.

        >>> bt.CellType.public().search("gamma-delta T cell").head(2)  # doctest: +SKIP
        """
        from ._public import public

        return public(cls, organism=organism, source=source)

    @classmethod
    def from_source(cls, *, organism: Any = None, source: Any = None, **kwargs: Any) -> Any:
        """A record for one public term (``name=``, ``ontology_id=``, ``symbol=``...); existing ones reused.

        >>> bt.CellType.from_source(name="effector T cell").save()  # doctest: +SKIP
        """
        from ._registry import from_source

        return from_source(cls, organism=organism, source=source, **kwargs)

    @classmethod
    def from_values(cls, values: Any, field: Any = None, organism: Any = None, source: Any = None) -> list:
        """Records for many values (saved ones reused, new ones unsaved); save them with ``ln.save``."""
        from ._registry import from_values

        return from_values(cls, values, field=field, organism=organism, source=source)

    @classonlymethod
    def validate(cls, values: Any, field: Any = None, *, organism: Any = None, public: bool = False) -> Any:
        """A boolean array: is each value saved (``public=True``: in the public source)?"""
        from ._registry import validate

        return validate(cls, values, field=field, organism=organism, public_source=public)

    @classonlymethod
    def inspect(cls, values: Any, field: Any = None, *, organism: Any = None, public: bool = False,
                show: bool = True) -> Any:
        """Validated / non-validated values with synonym suggestions."""
        from ._registry import inspect

        return inspect(cls, values, field=field, organism=organism, public_source=public, show=show)

    @classonlymethod
    def standardize(cls, values: Any, field: Any = None, *, organism: Any = None, public: bool = False,
                    mapper: bool = False, from_source: bool | None = None) -> Any:
        """Map synonyms and case variants to canonical values (saved records, then the source if ``public``).

        ``from_source`` is LaminDB's name for ``public`` (it wins when given).
        """
        from ._registry import standardize

        if from_source is not None:
            public = bool(from_source)
        return standardize(cls, values, field=field, organism=organism, public_source=public, mapper=mapper)

    @classmethod
    def import_source(cls, source: Any = None, organism: Any = None, ontology_ids: Any = None) -> list:
        """Save all terms of the public source (or ``ontology_ids`` and their ancestors) in bulk."""
        from ._registry import import_source

        return import_source(cls, source=source, organism=organism, ontology_ids=ontology_ids)

    def save(self, *args: Any, parents: bool | None = None, **kwargs: Any) -> Any:
        """Save; a new record from a public source also saves and links its ancestors (``parents=False`` skips)."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        if parents or (parents is None and adding):
            from ._registry import save_parents

            save_parents(self)
        return self

    @classmethod
    def _after_bulk_insert(cls, records: list) -> None:
        """``ln.save`` hook: new records from a public source get their ancestors saved and linked in bulk."""
        from ._registry import link_bulk_parents

        link_bulk_parents(cls, records)

    def view_parents(self, distance: int = 2, with_children: bool = False) -> str | None:
        """Print the ontological hierarchy up to ``distance`` levels (graphviz in Jupyter)."""
        from ..models._hierarchy import view_parents

        return view_parents(self, distance=distance, with_children=with_children)


def _artifacts(label: str, plural: str) -> models.ManyToManyField:
    return models.ManyToManyField("lineagedb.Artifact", through=f"bio.Artifact{label}", related_name=plural)


def canonical_entity(value: Any) -> Any:
    """``bionty.CellType`` and ``bt.CellType`` (LaminDB's spellings) as stored: ``bio.CellType``."""
    if isinstance(value, str):
        app, dot, name = value.partition(".")
        if dot and app in ("bionty", "bt"):
            return f"bio.{name}"
    return value


class EntityField(models.CharField):
    """``Source.entity``, stored as ``bio.<Registry>``; LaminDB's ``bionty.<Registry>`` is read as that in
    constructors, on save and in ``filter(entity=...)``/``entity__in`` (a plain CharField in migrations)."""

    def get_prep_value(self, value: Any) -> Any:
        return canonical_entity(super().get_prep_value(value))

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = canonical_entity(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class Source(Branched):
    """Where ontology records come from: an ontology (or gene table) and its version.

    >>> bt.Source.filter(entity="bio.CellType").first()  # doctest: +SKIP
    """

    uid = models.CharField(max_length=8, unique=True, default=_uid, editable=False)
    entity = EntityField(max_length=64, db_index=True)  # e.g. "bio.CellType" ("bionty.CellType" is read as that)
    organism = models.CharField(max_length=64, db_index=True, default="all")
    name = models.CharField(max_length=64, db_index=True)  # e.g. "cl"
    version = models.CharField(max_length=64)
    url = models.CharField(max_length=1000, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    currently_used = models.BooleanField(default=False)

    class Meta:
        app_label = "bio"
        unique_together = [("entity", "organism", "name", "version")]


class Organism(BioRecord):
    scientific_name = models.CharField(max_length=256, null=True, blank=True, db_index=True)
    artifacts = _artifacts("Organism", "organisms")

    class Meta:
        app_label = "bio"


class Gene(BioRecord):
    _id_field = "ensembl_gene_id"
    _name_field = "symbol"
    name = models.CharField(max_length=256, null=True, blank=True, db_index=True)  # type: ignore[assignment]  # optional here
    symbol = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    ensembl_gene_id = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    ncbi_gene_ids = models.TextField(null=True, blank=True)
    biotype = models.CharField(max_length=64, null=True, blank=True)
    organism = models.ForeignKey(Organism, models.PROTECT, null=True, blank=True, related_name="genes")
    artifacts = _artifacts("Gene", "genes")
    schemas = models.ManyToManyField("lineagedb.Schema", related_name="genes")

    class Meta:
        app_label = "bio"


class Protein(BioRecord):
    _id_field = "uniprotkb_id"
    uniprotkb_id = models.CharField(max_length=16, null=True, blank=True, db_index=True)
    gene_symbol = models.CharField(max_length=64, null=True, blank=True)
    organism = models.ForeignKey(Organism, models.PROTECT, null=True, blank=True, related_name="proteins")
    artifacts = _artifacts("Protein", "proteins")
    schemas = models.ManyToManyField("lineagedb.Schema", related_name="proteins")

    class Meta:
        app_label = "bio"


class CellMarker(BioRecord):
    gene_symbol = models.CharField(max_length=64, null=True, blank=True)
    ncbi_gene_id = models.CharField(max_length=32, null=True, blank=True)
    uniprotkb_id = models.CharField(max_length=16, null=True, blank=True)
    organism = models.ForeignKey(Organism, models.PROTECT, null=True, blank=True, related_name="cell_markers")
    artifacts = _artifacts("CellMarker", "cell_markers")
    schemas = models.ManyToManyField("lineagedb.Schema", related_name="cell_markers")

    class Meta:
        app_label = "bio"


class CellLine(BioRecord):
    artifacts = _artifacts("CellLine", "cell_lines")

    class Meta:
        app_label = "bio"


class CellType(BioRecord):
    artifacts = _artifacts("CellType", "cell_types")

    class Meta:
        app_label = "bio"


class Tissue(BioRecord):
    artifacts = _artifacts("Tissue", "tissues")

    class Meta:
        app_label = "bio"


class Disease(BioRecord):
    artifacts = _artifacts("Disease", "diseases")

    class Meta:
        app_label = "bio"


class Phenotype(BioRecord):
    artifacts = _artifacts("Phenotype", "phenotypes")

    class Meta:
        app_label = "bio"


class Pathway(BioRecord):
    artifacts = _artifacts("Pathway", "pathways")
    genes = models.ManyToManyField(Gene, related_name="pathways", blank=True)

    class Meta:
        app_label = "bio"


class ExperimentalFactor(BioRecord):
    artifacts = _artifacts("ExperimentalFactor", "experimental_factors")

    class Meta:
        app_label = "bio"


class DevelopmentalStage(BioRecord):
    artifacts = _artifacts("DevelopmentalStage", "developmental_stages")

    class Meta:
        app_label = "bio"


class Ethnicity(BioRecord):
    artifacts = _artifacts("Ethnicity", "ethnicities")

    class Meta:
        app_label = "bio"


REGISTRIES = {
    "Organism": "organisms", "Gene": "genes", "Protein": "proteins", "CellMarker": "cell_markers",
    "CellLine": "cell_lines", "CellType": "cell_types", "Tissue": "tissues", "Disease": "diseases",
    "Phenotype": "phenotypes", "Pathway": "pathways", "ExperimentalFactor": "experimental_factors",
    "DevelopmentalStage": "developmental_stages", "Ethnicity": "ethnicities",
}

for _label, _plural in REGISTRIES.items():
    globals()[f"Artifact{_label}"] = label_link(_label, app_label="bio", module=__name__, accessor=_plural)
