"""The one link mechanism between artifacts and label registries (Record and every bio registry).

A label registry declares::

    artifacts = models.ManyToManyField("lineagedb.Artifact", through="<app>.Artifact<Label>",
                                       related_name="<plural>")
    Artifact<Label> = label_link("<Label>", app_label="<app>", module=__name__)

which gives ``artifact.<plural>.add(...)``, ``ln.Artifact.filter(<plural>=...)`` and links that can
carry the feature a label was annotated under::

    artifact.records.add(dmso, feature="perturbation")   # or a Feature record
    artifact.records.remove(dmso, feature="perturbation")
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property, partial
from typing import Any

from django.db import models

from .. import errors

# "<app_label>.<Label>" -> (link model, name of the label's FK on the link, artifact accessor name); the link
# models are made at run time (label_link), so their fields are unknown to a type checker: Any
LABEL_LINKS: dict[str, tuple[Any, str, str]] = {}


def snake(name: str) -> str:
    """``CellType`` -> ``cell_type``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class LinkQuerySet(models.QuerySet[Any]):
    """Rows of a link table; ``delete(permanent=True)`` is accepted as on registries (links have no trash)."""

    def delete(self, permanent: bool | None = None) -> Any:
        """Remove the matched links for good.

        >>> ln.models.SchemaComponent.filter(slot="attrs").delete(permanent=True)  # doctest: +SKIP
        """
        return super().delete()


class LinkModel(models.Model):
    """Base of the link tables: ``ln.models.ArtifactULabel.filter(artifact_id=..., feature=...)`` as on registries."""

    objects = LinkQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def filter(cls, *queries: Any, **expressions: Any) -> Any:
        return cls.objects.filter(*queries, **expressions)

    @classmethod
    def get(cls, *queries: Any, **expressions: Any) -> Any:
        return cls.objects.get(*queries, **expressions)


def label_link(label: str, app_label: str, module: str, accessor: str, field: str | None = None) -> type[models.Model]:
    """Create the link model ``Artifact<label>`` between Artifact and a label registry.

    ``field`` names the label's column on the link (default: the snake-cased label, ``cell_type``).
    """
    field = field or snake(label)
    meta = type("Meta", (), {"app_label": app_label, "unique_together": [("artifact", field, "feature")]})
    attrs: dict[str, Any] = {
        "__module__": module,
        "artifact": models.ForeignKey("lineagedb.Artifact", models.CASCADE, related_name=f"links_{field}"),
        field: models.ForeignKey(f"{app_label}.{label}", models.PROTECT, related_name="links_artifact"),
        "feature": models.ForeignKey("lineagedb.Feature", models.PROTECT, null=True, blank=True, related_name="+"),
        "created_at": models.DateTimeField(auto_now_add=True),
        "Meta": meta,
    }
    link = type(f"Artifact{label}", (LinkModel,), attrs)
    LABEL_LINKS[f"{app_label}.{label}"] = (link, field, accessor)
    from django.apps import apps

    apps.lazy_model_operation(partial(_install_managers, accessor), ("lineagedb", "artifact"), (app_label, label.lower()))
    return link


# -- feature-carrying links ------------------------------------------------------------------------

def is_label_registry(model: Any) -> bool:
    """Whether artifacts link ``model``'s records as labels (else their values are kept as text)."""
    return model is not None and model._meta.label in LABEL_LINKS


def link_of(label_model: Any) -> tuple[Any, str, str]:
    """(link model, label FK name, artifact accessor) of a label registry; InvalidArgument if it is none."""
    try:
        return LABEL_LINKS[label_model._meta.concrete_model._meta.label]  # a proxy links as its registry
    except KeyError:
        raise errors.InvalidArgument(
            f"{label_model.__name__} is not a label registry; labels are Record and the bio registries"
        ) from None


def _feature_id(feature: Any) -> int | None:
    if feature is None:
        return None
    if isinstance(feature, str):
        from .feature import Feature

        found = Feature.objects.filter(name=feature).first()
        if found is None:
            raise errors.InvalidArgument(f"no feature named {feature!r}; create it with ln.Feature(name={feature!r}, dtype=...).save()")
        return found.id
    if getattr(feature, "_state", None) is None or feature._state.adding:
        raise errors.InvalidArgument(f"save the feature first: {feature!r}")
    return feature.id


def link_labels(artifact: Any, labels: Iterable[Any], feature: Any = None) -> None:
    """Link ``labels`` (records of one or several label registries) to ``artifact`` under ``feature``.

    A label linked plainly before gets the feature on its existing link (so plain queries see one link);
    a label may also be linked under several features.
    """
    fid = _feature_id(feature)
    by_model: dict[Any, list[Any]] = {}
    for label in labels:
        if getattr(label, "_state", None) is None or label._state.adding:
            raise errors.InvalidArgument(f"save the label before linking it: {label!r}")
        by_model.setdefault(type(label)._meta.concrete_model, []).append(label)
    for model, items in by_model.items():
        link, field, _ = link_of(model)
        ids = {r.id for r in items}
        existing = {(lid, f) for lid, f in link.objects.filter(artifact_id=artifact.id, **{f"{field}_id__in": ids})
                    .values_list(f"{field}_id", "feature_id")}
        todo = ids - {lid for lid, f in existing if f == fid}
        plain = todo & {lid for lid, f in existing if f is None}
        if fid is not None and plain:  # a plainly linked label now carries the feature: still one link
            link.objects.filter(artifact_id=artifact.id, feature_id=None, **{f"{field}_id__in": plain}).update(feature_id=fid)
            todo -= plain
        link.objects.bulk_create([link(artifact_id=artifact.id, feature_id=fid, **{f"{field}_id": i}) for i in sorted(todo)])


def unlink_labels(artifact: Any, labels: Iterable[Any], feature: Any = None) -> None:
    """Remove the links of ``labels`` to ``artifact`` (only those under ``feature`` if given)."""
    fid = _feature_id(feature)
    by_model: dict[Any, list[int]] = {}
    for label in labels:
        by_model.setdefault(type(label)._meta.concrete_model, []).append(label.id)
    for model, ids in by_model.items():
        link, field, _ = link_of(model)
        qs = link.objects.filter(artifact_id=artifact.id, **{f"{field}_id__in": ids})
        if fid is not None:
            qs = qs.filter(feature_id=fid)
        qs.delete()


def mounted_links() -> dict[str, tuple[Any, str, str]]:
    """The entries of LABEL_LINKS whose tables exist in the connected instance (bio only where mounted)."""
    from ..core.instance import current

    inst = current()
    if inst is None:
        return dict(LABEL_LINKS)
    mounted = {"lineagedb", *inst.modules}
    return {k: v for k, v in LABEL_LINKS.items() if v[0]._meta.app_label in mounted}


def labels_of(artifact_ids: Iterable[int], registries: Iterable[str] | None = None, with_feature: bool | None = None) -> list[tuple[int, Any, Any]]:
    """(artifact id, feature id or None, label record) for every label link of the artifacts.

    One query per label registry (``registries``: ``"<app>.<Label>"`` keys to restrict to);
    ``with_feature=True`` keeps only links annotated under a feature.
    """
    ids = list(artifact_ids)
    out: list[tuple[int, Any, Any]] = []
    for key, (link, field, _) in mounted_links().items():
        if registries is not None and key not in registries:
            continue
        qs = link.objects.filter(artifact_id__in=ids).select_related(field).order_by("id")
        if with_feature:
            qs = qs.filter(feature_id__isnull=False)
        for row in qs:
            out.append((row.artifact_id, row.feature_id, getattr(row, field)))
    return out


# -- related managers that accept feature= -----------------------------------------------------------

def _refuse_non_records(model: Any, objs: tuple) -> None:
    """InvalidArgument for a value that is not a saved-able record, e.g. ``artifact.cell_types.add("B cell")``."""
    from django.db.models import Model

    for obj in objs:
        if isinstance(obj, Model) or isinstance(obj, int):
            continue
        name = model.__name__
        hint = ""
        if isinstance(obj, str) and any(f.name == "name" for f in model._meta.concrete_fields):
            hint = f"; look it up first, e.g. {name}.get(name={obj!r})"
            close = model.objects.filter(name__iexact=obj).values_list("name", flat=True).first()
            if close is not None and close != obj:
                hint = f"; did you mean {close!r}? Look it up first: {name}.get(name={close!r})"
        raise errors.InvalidArgument(f"add() takes {name} records, not {type(obj).__name__} {obj!r}{hint}")


def _feature_manager(base: type, label_side: bool) -> type:
    """Subclass Django's related manager so add()/remove() take ``feature=``."""

    class LabelManager(base):
        def get_queryset(self) -> Any:  # a label linked under two features is still listed once
            return super().get_queryset().distinct()

        def add(self, *objs: Any, feature: Any = None, **kwargs: Any) -> None:
            _refuse_non_records(self.model, objs)
            if feature is None:
                return super().add(*objs, **kwargs)
            if label_side:  # artifact.records.add(label, feature=...)
                link_labels(self.instance, objs, feature)
            else:  # label.artifacts.add(artifact, feature=...)
                for artifact in objs:
                    link_labels(artifact, [self.instance], feature)
            return None

        def remove(self, *objs: Any, feature: Any = None) -> None:
            if feature is None:
                return super().remove(*objs)
            if label_side:
                unlink_labels(self.instance, objs, feature)
            else:
                for artifact in objs:
                    unlink_labels(artifact, [self.instance], feature)
            return None

    return LabelManager


def _install_managers(accessor: str, artifact_model: Any, label_model: Any) -> None:
    from django.db.models.fields.related_descriptors import ManyToManyDescriptor

    class LabelDescriptor(ManyToManyDescriptor):
        @cached_property
        def related_manager_cls(self) -> type:
            return _feature_manager(super().related_manager_cls, label_side=self.reverse)

    for owner, name in ((artifact_model, accessor), (label_model, "artifacts")):
        desc = owner.__dict__.get(name)
        if isinstance(desc, ManyToManyDescriptor) and not isinstance(desc, LabelDescriptor):
            desc.__class__ = LabelDescriptor
