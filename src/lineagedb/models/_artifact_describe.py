"""The Artifact section of describe(): identity, content, storage path and provenance.

It reads only the database (one query for the creator, run and transform; the storage record is
cached), never the storage itself.
"""

from __future__ import annotations

from typing import Any


def human_size(n: int | None) -> str:
    """``1536`` -> ``'1.5 KB'`` (powers of 1024, like ``ls -h``)."""
    if n is None:
        return "unknown"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _fmt_time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "-"


def artifact_section(artifact: Any, tree: Any) -> None:
    from rich.markup import escape

    info: dict[str, Any] = {}
    if artifact.pk is not None:
        info = (
            type(artifact).objects.filter(pk=artifact.pk)
            .values("created_by__handle", "run__uid", "run__started_at", "run__transform__key",
                    "run__transform__kind", "run__transform__version")
            .first()
        ) or {}
    general = tree.add("[bold]General[/bold]")
    version = f"  version: {escape(artifact.version_tag)}" if artifact.version_tag else ""
    latest = " (latest)" if artifact.is_latest else ""
    general.add(f"key: {escape(str(artifact.key))}{version}{latest}")
    general.add(f"uid: {artifact.uid}" + ("  [red](in trash)[/red]" if artifact.branch == -1 else ""))
    if artifact.description:
        general.add(f"description: {escape(artifact.description)}")
    general.add(f"kind: {artifact.kind or '-'}  otype: {artifact.otype or '-'}  suffix: {artifact.suffix or '-'}")
    counts = f"  n_files: {artifact.n_files}" if artifact.n_files is not None else ""
    counts += f"  n_observations: {artifact.n_observations}" if artifact.n_observations is not None else ""
    general.add(f"size: {human_size(artifact.size)}{counts}")
    general.add(f"hash: {artifact.hash} ({artifact.hash_type})")
    in_place = "" if artifact._real_key is None else " (registered in place)"
    general.add(f"storage path: {escape(str(artifact.path))}{in_place}")
    creator = info.get("created_by__handle") or "-"
    general.add(f"created_at: {_fmt_time(artifact.created_at)} by {escape(creator)}")
    if info.get("run__uid"):
        prov = tree.add("[bold]Provenance[/bold]")
        tkey, tkind = info.get("run__transform__key"), info.get("run__transform__kind")
        tver = info.get("run__transform__version")
        prov.add(f"transform: {escape(str(tkey))} ({tkind}" + (f", version {escape(tver)}" if tver else "") + ")")
        prov.add(f"run: {info['run__uid']} started {_fmt_time(info.get('run__started_at'))}")
