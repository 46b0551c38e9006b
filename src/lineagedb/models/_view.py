"""``ln.view()``: the latest records of each registry."""

from __future__ import annotations


def view(limit: int = 5, modules: str | None = None) -> None:
    """Print the ``limit`` latest records of every non-empty registry.

    >>> ln.view()  # doctest: +SKIP
    """
    from django.apps import apps
    from rich.console import Console

    from ..core.instance import ensure_connected

    inst = ensure_connected()
    console = Console()
    app_labels = ["lineagedb", *inst.modules]
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            if not hasattr(model, "uid") or not hasattr(model, "to_dataframe"):
                continue
            df = model.objects.order_by("-id").to_dataframe(limit=limit)
            if df.empty:
                continue
            console.rule(f"[bold]{model.__name__}[/bold]")
            console.print(df.to_string(max_colwidth=40))
