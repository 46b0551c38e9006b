"""The Reference registry: publications, preprints and other citable sources.

>>> ref = ln.Reference(name="Hao 2021", doi="10.1016/j.cell.2021.04.048").save()  # doctest: +SKIP
>>> artifact.references.add(ref)  # doctest: +SKIP
"""

from __future__ import annotations

from django.db import models

from ._checks import validate_doi
from ._fields import uid_field
from ._labels import label_link
from ._tracked import Tracked
from ._typed import HasType, unique_name_in_type


class Reference(HasType, Tracked):
    """A citable reference (paper, dataset DOI, URL); ``is_type=True`` makes a reference type."""

    uid = uid_field(12)
    name = models.CharField(max_length=255, db_index=True)
    description = models.TextField(null=True, blank=True)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="references")
    is_type = models.BooleanField(default=False, db_index=True)
    abbr = models.CharField(max_length=32, null=True, blank=True, db_index=True)
    url = models.URLField(max_length=255, null=True, blank=True)
    pubmed_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    doi = models.CharField(max_length=255, null=True, blank=True, db_index=True, validators=[validate_doi])
    text = models.TextField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    artifacts = models.ManyToManyField("lineagedb.Artifact", through="lineagedb.ArtifactReference", related_name="references")
    transforms = models.ManyToManyField("lineagedb.Transform", related_name="references", blank=True)
    collections = models.ManyToManyField("lineagedb.Collection", related_name="references", blank=True)
    records = models.ManyToManyField("lineagedb.Record", related_name="references", blank=True)

    class Meta:
        app_label = "lineagedb"
        constraints = unique_name_in_type("reference")

    query_references = HasType.query_instances


ArtifactReference = label_link("Reference", app_label="lineagedb", module=__name__, accessor="references")
