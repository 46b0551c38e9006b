"""``ln.view()``: the latest records of each registry, as compact tables."""

from __future__ import annotations

from typing import Any

_SKIP = {"id", "branch", "hash", "hash_type", "updated_at", "source_code", "synonyms", "description"}
_MAX_COLUMNS = 5


def _columns(model: Any) -> list[str]:
    """uid, then the most telling fields: names and keys first, relations shown by their id."""
    names = [f.attname for f in model._meta.concrete_fields if f.name not in _SKIP and not f.name.startswith("_")]
    return ["uid"] + [n for n in names if n != "uid" and not n.endswith("_id")] + [n for n in names if n.endswith("_id")]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def view(limit: int = 5, modules: str | None = None) -> None:
    """Print the ``limit`` latest records of every non-empty registry (trash and internal records hidden).

    >>> ln.view()  # doctest: +SKIP
    >>> ln.view(limit=10, modules="bio")  # doctest: +SKIP
    """
    from django.apps import apps
    from rich.console import Console
    from rich.table import Table

    from ..core.instance import ensure_connected

    inst = ensure_connected()
    console = Console()
    app_labels = ["lineagedb", *inst.modules] if modules is None else [m.strip() for m in modules.split(",")]
    for label in app_labels:
        for model in apps.get_app_config("lineagedb" if label == "core" else label).get_models():
            if not hasattr(model, "uid") or not hasattr(model, "_visible"):
                continue
            candidates = _columns(model)
            rows = list(model._visible({}).order_by("-id").values_list(*candidates)[:limit])
            if not rows:
                continue
            keep = [i for i, c in enumerate(candidates) if c == "uid" or any(r[i] not in (None, "") for r in rows)]
            keep = keep[:_MAX_COLUMNS]
            table = Table(title=f"{model.__name__} (latest {len(rows)})", title_justify="left", title_style="bold")
            for i in keep:
                uid_width = max(len(str(r[0])) for r in rows)
                table.add_column(candidates[i], no_wrap=True, overflow="ellipsis",
                                 min_width=uid_width if i == 0 else None, max_width=None if i == 0 else 32)
            for row in rows:
                table.add_row(*(_cell(row[i]) for i in keep))
            console.print(table)
