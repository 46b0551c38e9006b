"""describe() sections for schemas: a Schema's own tree, and the schema branch of an Artifact."""

from __future__ import annotations

from typing import Any

_SHOWN = 12  # members listed per feature set before "... and N more"


def escape(text: str) -> str:
    """Escape rich markup, so dtypes such as ``cat[bio.CellType]`` print as they are."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _rules(schema: Any) -> str:
    flags = [name for name in ("flexible", "minimal_set", "maximal_set", "ordered_set", "coerce_dtype") if getattr(schema, name)]
    return ", ".join(flags) if flags else "none"


def _header(schema: Any) -> str:
    parts = [f"itype={schema.itype}" if schema.itype else None, f"otype={schema.otype}" if schema.otype else None,
             f"dtype={schema.dtype}" if schema.dtype else None, f"n={schema.n}" if schema.n is not None else None,
             f"organism={schema.organism}" if schema.organism else None]
    name = f"{escape(repr(schema.name))} " if schema.name else ""
    return f"{name}[dim]{schema.uid}[/dim] " + " ".join(p for p in parts if p)


def _member_labels(schema: Any) -> list[str]:
    """Up to ``_SHOWN + 1`` members as text (genes: ``ENSG... (SYMBOL)``), in one query."""
    from ._schema_def import registry_and_field

    _, field = registry_and_field(schema.itype)
    field = field or "name"
    names = {f.name for f in schema.members.model._meta.concrete_fields}
    if "symbol" in names and field != "symbol":
        pairs = schema.members.order_by(field).values_list(field, "symbol")[: _SHOWN + 1]
        return [f"{v} ({s})" if s else str(v) for v, s in pairs]
    return [str(v) for v in schema.members.order_by(field).values_list(field, flat=True)[: _SHOWN + 1]]


def add_members(schema: Any, tree: Any) -> None:
    """Add the features (with dtypes) or registry members of ``schema`` to ``tree``."""
    from ._schema_def import is_feature_itype

    if schema.itype and not is_feature_itype(schema.itype):
        labels = _member_labels(schema)
        if labels:
            node = tree.add(f"[bold]members[/bold] ({schema.n if schema.n is not None else len(labels)})")
            for label in labels[:_SHOWN]:
                node.add(escape(label))
            if schema.n and schema.n > _SHOWN:
                node.add(f"... and {schema.n - _SHOWN} more")
        return
    links = schema.feature_links()
    if links:
        node = tree.add(f"[bold]Features[/bold] ({len(links)})")
        for feature, optional in links:
            notes = [n for n, on in (("optional", optional), ("not nullable", not feature.nullable)) if on]
            text = f"{escape(feature.name)}  [dim]{escape(feature.dtype)}[/dim]"
            node.add(text + (f"  ({', '.join(notes)})" if notes else ""))


def schema_section(schema: Any, tree: Any) -> None:
    """The definition: types, rules, index, features or members, and the slots of a composite."""
    if schema.description:
        tree.add(f"description: {escape(schema.description)}")
    for name in ("name", "itype", "otype", "dtype", "organism", "n", "hash"):
        value = getattr(schema, name)
        if value not in (None, ""):
            tree.add(f"{name}: {escape(str(value))}")
    tree.add(f"rules: {_rules(schema)}")
    if schema.index_id is not None:
        tree.add(f"index: {escape(schema.index.name)}  [dim]{escape(schema.index.dtype)}[/dim]")
    add_members(schema, tree)
    slots = schema.slots if schema.pk is not None else {}
    if slots:
        node = tree.add("[bold]slots[/bold]")
        for slot, component in slots.items():
            sub = node.add(f"{slot}: {_header(component)}")
            add_members(component, sub)


def artifact_schema_section(artifact: Any, tree: Any) -> None:
    """The schema an artifact was validated against and the feature set of each slot."""
    if artifact.pk is None:
        return
    from .artifact import ArtifactSchema

    links = list(ArtifactSchema.objects.filter(artifact=artifact).select_related("schema").order_by("id"))
    if artifact.schema_id is None and not links:
        return
    node = tree.add("[bold]Schema[/bold]")
    if artifact.schema_id is not None:
        node.add(f"validated by: {_header(artifact.schema)}")
    for link in links:
        sub = node.add(f"[bold]{link.slot or 'features'}[/bold]: {_header(link.schema)}")
        add_members(link.schema, sub)


def dataset_features(artifact: Any, tree: Any) -> None:
    """``artifact.features.describe()``'s "Dataset features": per slot (``columns``, ``obs``, ``var.T``, ...),
    the features (with dtypes) or registry values the data was validated with."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    if artifact.pk is None or not type(artifact)._labels_as_links:
        return
    from .artifact import ArtifactSchema

    links = [link for link in ArtifactSchema.objects.filter(artifact=artifact).select_related("schema").order_by("id")
             if link.slot != "__external__"]
    if not links:
        return
    node = tree.add("[bold]Dataset features[/bold]")
    for link in links:
        schema, slot = link.schema, escape(link.slot or "features")
        features = schema.feature_links()
        if not features:  # registry values (e.g. genes): their count and registry
            node.add(f"[bold]{slot}[/bold] ({schema.n if schema.n is not None else '?'} {escape(schema.itype or '')})")
            continue
        grid = Table.grid(padding=0)
        grid.add_column(min_width=20)
        grid.add_column()
        for feature, _ in features:
            grid.add_row(f"{escape(feature.name)} ", f"[dim]{escape(feature.dtype or '')}[/dim]")
        node.add(Group(Text.from_markup(f"[bold]{slot}[/bold] ({len(features)})"), grid))
