"""Annotate a saved artifact with what validation found: schema, feature sets, labels, metadata values."""

from __future__ import annotations

from typing import Any

from ._result import CatValues, SlotResult, ValidationResult
from ._sources import create_from_source


def _create_missing(result: ValidationResult) -> None:
    """Create the records of values found only in a public source: one bulk insert per registry and field."""
    groups: dict[tuple[Any, str, Any], list[CatValues]] = {}
    for slot in result.slots:
        for cat in slot.all_cats():
            if cat.from_source:
                groups.setdefault((cat.model, cat.field, cat.organism), []).append(cat)
    for (model, field, organism), cats in groups.items():
        wanted: dict[str, Any] = {}
        for cat in cats:
            wanted.update(cat.from_source)
        created = create_from_source(model, wanted, field, organism)
        for cat in cats:
            for value in list(cat.from_source):
                if value in created:
                    cat.records[value] = created[value]
                    del cat.from_source[value]


def _link_labels(artifact: Any, slots: list[SlotResult]) -> None:
    """Link every categorical value to the artifact under the feature of its column (bulk, per column)."""
    from ..models._labels import LABEL_LINKS, link_labels

    for slot in slots:
        if slot.slot == "__external__" or {"attrs", "uns"} & set(slot.slot.split(":")):
            continue  # dataset-level values are linked by features.add_values
        for cat in slot.cats:
            if cat.records and cat.model._meta.label in LABEL_LINKS:
                link_labels(artifact, list({r.pk: r for r in cat.records.values()}.values()), cat.feature)


def _feature_set(slot: SlotResult) -> Any:
    """The schema recording which features (or registry values, e.g. genes) the slot holds."""
    from ..models import Schema

    if slot.members is not None:
        records = [slot.members.records[v] for v in slot.members.values if v in slot.members.records]
        if not records:
            return None
        return Schema(itype=slot.schema.itype, dtype=slot.schema.dtype, organism=slot.schema.organism,  # type: ignore[misc]
                      _members=records).save()  # (constructor keywords of Schema, not fields)
    if not slot.features or slot.slot == "__external__":
        return None  # dataset-level values: the values themselves say which features they are of
    schema = slot.schema
    if schema is not None and schema.pk is not None and schema.itype == "Feature" and not schema.slots:
        if {f.pk for f in slot.features} == {f.pk for f, _ in schema.feature_links()}:
            return schema  # the data has exactly the schema's features: the schema is the feature set
    return Schema(features=slot.features, itype="Feature").save()  # type: ignore[misc]  # features: a constructor keyword


def _add_metadata(artifact: Any, slots: list[SlotResult]) -> None:
    values: dict[str, Any] = {}
    for slot in slots:
        values.update(slot.metadata)
    if values:  # validated by the schema: they replace the values of these features (no external-schema guard)
        artifact.features.update_values(values)


def annotate_on_save(artifact: Any, result: ValidationResult) -> Any:
    """After the artifact row is saved: link its schema, feature sets per slot, labels and metadata values.

    >>> result = validate_for_artifact(df, schema)  # doctest: +SKIP
    >>> annotate_on_save(artifact, result)  # doctest: +SKIP
    """
    from django.db import transaction

    from ..models import ArtifactSchema

    with transaction.atomic():
        _create_missing(result)
        _link_labels(artifact, result.slots)
        links = []
        for slot in result.slots:
            feature_set = _feature_set(slot)
            if feature_set is not None:
                links.append(ArtifactSchema(artifact_id=artifact.pk, schema_id=feature_set.pk, slot=slot.slot))
        ArtifactSchema.objects.bulk_create(links, ignore_conflicts=True)
        if result.schema is not None and artifact.schema_id != result.schema.pk:
            artifact.schema = result.schema
            type(artifact).objects.filter(pk=artifact.pk).update(schema=result.schema)
        _add_metadata(artifact, result.slots)
    return artifact
