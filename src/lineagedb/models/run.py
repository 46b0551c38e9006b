"""The Run registry: executions of transforms."""

from __future__ import annotations

from typing import Any

from django.db import models

from .. import errors
from ._describe import Section, fields_section
from ._features import FeaturesDescriptor
from ._fields import uid_field
from ._lineage import HasLineage, visible_in_lineage
from ._tracked import Branched

RUN_STATUSES = ("scheduled", "started", "completed", "errored", "aborted")


class Run(HasLineage, Branched):
    """One execution of a Transform, with its parameters, environment, inputs and report.

    >>> ln.Run.filter(transform__key="tutorial.py").to_dataframe()  # doctest: +SKIP
    """

    _positional = ("transform",)  # ln.Run(transform)
    _feature_values = ("RunFeatureValue", "run")  # link model and host field of feature values (see _features)
    features = FeaturesDescriptor()  # run.features.add_values(...), .get_values()
    _list_columns = ("status", "started_at", "finished_at")
    _display_relations = ("transform",)
    _lineage_fill = "#f3efe4"
    _lineage_round = True

    uid = uid_field(16)
    transform = models.ForeignKey("lineagedb.Transform", models.PROTECT, related_name="runs")
    name = models.CharField(max_length=150, null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=20, default="started", db_index=True)
    params = models.JSONField(null=True, blank=True)
    reference = models.CharField(max_length=255, null=True, blank=True)
    environment = models.ForeignKey("lineagedb.Artifact", models.PROTECT, null=True, blank=True, related_name="_environment_of")
    report = models.ForeignKey("lineagedb.Artifact", models.PROTECT, null=True, blank=True, related_name="_report_of")
    initiated_by_run = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="initiated_runs")
    input_artifacts = models.ManyToManyField("lineagedb.Artifact", related_name="input_of_runs", blank=True)
    input_collections = models.ManyToManyField("lineagedb.Collection", related_name="input_of_runs", blank=True)
    input_records = models.ManyToManyField("lineagedb.Record", related_name="input_of_runs", blank=True)  # sheet exports

    class Meta:
        app_label = "lineagedb"

    @classmethod
    def _describe_sections(cls) -> tuple[Section, ...]:
        """describe(): the plain fields, then the run's features (parameters kept as feature values)."""
        from ._feature_hooks import describe_features

        return fields_section, describe_features

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """``ln.Run(transform, params=..., status="scheduled")``: a run you save yourself starts out scheduled.

        (The metaclass has already turned the positional ``transform`` into a keyword.)
        """
        if args and len(args) == len(self._meta.concrete_fields):  # a row loaded from the database
            super().__init__(*args, **kwargs)
            return
        transform = kwargs.get("transform")
        if transform is None and kwargs.get("transform_id") is None:
            raise errors.InvalidArgument("Pass transform parameter: ln.Run(transform)")
        if transform is not None and getattr(transform, "_state", None) is not None and transform._state.adding:
            raise errors.InvalidArgument("Please save transform record before creating a run: transform.save()")
        status = kwargs.setdefault("status", "scheduled")
        if status not in RUN_STATUSES:
            raise errors.InvalidArgument(f"status must be one of {', '.join(map(repr, RUN_STATUSES))}, but you passed: {status!r}.")
        super().__init__(**kwargs)

    def delete(self, permanent: bool | None = None) -> Any:  # type: ignore[override]
        """Move the run to the trash, or remove it (``permanent=True``); its report and environment, when
        tracking made them and no other run uses them, are removed in the background (see ``_run_delete``).

        >>> ln.Run.get("2w7OAXBskWFML1xt").delete(permanent=True)  # doctest: +SKIP
        """
        from ._run_delete import remove_runs
        from ._trash import delete_record

        return delete_record(self, permanent, lambda: remove_runs(Run.objects.filter(pk=self.pk),
                                                                  lambda: models.Model.delete(self)))

    @classmethod
    def _remove_rows(cls, queryset: Any, remove: Any) -> Any:
        """How a queryset of runs is removed for good (``QuerySet.delete``)."""
        from ._run_delete import remove_runs

        return remove_runs(queryset, remove)

    def _display_name(self) -> str | None:
        """Its name, else which transform ran and when (runs of one transform differ by their start)."""
        if self.name:
            return self.name
        when = self.started_at.strftime("%Y-%m-%d %H:%M:%S") if self.started_at else self.uid
        return f"run of {self.transform.key} · {when}"

    def to_openlineage(self) -> list[dict]:
        """This run as OpenLineage RunEvents (START, then COMPLETE/FAIL/ABORT once it ended).

        >>> events = run.to_openlineage()  # doctest: +SKIP
        """
        from ._openlineage import run_events

        return run_events(self)

    def _lineage_parents(self) -> list[Any]:
        """A run comes from what it loaded."""
        return visible_in_lineage(self.input_artifacts.all()) + visible_in_lineage(self.input_collections.all())

    def _lineage_children(self) -> list[Any]:
        """A run is used by what it saved."""
        return visible_in_lineage(self.output_artifacts.all()) + visible_in_lineage(self.output_collections.all())

    def _lineage_label(self) -> str:
        """``run of script 'x.py' 2026-11-26 10:28[, status] [Run uid]``."""
        transform = self.transform
        when = f" {self.started_at:%Y-%m-%d %H:%M}" if self.started_at else ""
        status = "" if self.status == "completed" else f", {self.status}"
        return f"run of {transform.kind} {transform.key!r}{when}{status} [Run {self.uid}]"
