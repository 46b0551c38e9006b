"""The Project registry: projects (and project types) that artifacts, transforms, runs and records belong to.

>>> project = ln.Project(name="Perturbation screen", abbr="PS").save()  # doctest: +SKIP
>>> artifact.projects.add(project)  # doctest: +SKIP
>>> ln.Artifact.filter(projects=project).to_dataframe()  # doctest: +SKIP
"""

from __future__ import annotations

from django.db import models

from ._fields import uid_field
from ._labels import label_link
from ._tracked import Tracked
from ._typed import HasParents, HasType, unique_name_in_type

PROJECT_STATUSES = ("planned", "active", "paused", "completed", "cancelled")


class Project(HasType, HasParents, Tracked):
    """A project; ``is_type=True`` makes a project type (``ln.Project(name="Screen", type=screens)``)."""

    uid = uid_field(12)
    name = models.CharField(max_length=255, db_index=True)
    description = models.TextField(null=True, blank=True)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="projects")
    is_type = models.BooleanField(default=False, db_index=True)
    abbr = models.CharField(max_length=32, null=True, blank=True, db_index=True)
    url = models.URLField(max_length=255, null=True, blank=True)
    status = models.CharField(max_length=16, default="planned", db_index=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    predecessors = models.ManyToManyField("self", symmetrical=False, related_name="successors", blank=True)
    artifacts = models.ManyToManyField("lineagedb.Artifact", through="lineagedb.ArtifactProject", related_name="projects")
    transforms = models.ManyToManyField("lineagedb.Transform", related_name="projects", blank=True)
    runs = models.ManyToManyField("lineagedb.Run", related_name="projects", blank=True)
    collections = models.ManyToManyField("lineagedb.Collection", related_name="projects", blank=True)
    records = models.ManyToManyField("lineagedb.Record", related_name="projects", blank=True)
    ulabels = models.ManyToManyField("lineagedb.ULabel", related_name="projects", blank=True)
    features = models.ManyToManyField("lineagedb.Feature", related_name="projects", blank=True)
    schemas = models.ManyToManyField("lineagedb.Schema", related_name="projects", blank=True)
    references = models.ManyToManyField("lineagedb.Reference", related_name="projects", blank=True)

    class Meta:
        app_label = "lineagedb"
        constraints = unique_name_in_type("project")

    query_projects = HasType.query_instances


ArtifactProject = label_link("Project", app_label="lineagedb", module=__name__, accessor="projects")
