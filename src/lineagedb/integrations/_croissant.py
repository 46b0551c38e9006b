"""Register the files a Croissant (MLCommons JSON-LD) file describes, with its description, license and project.

One file gives an artifact, several give a collection of artifacts. Each file's key is its name, so
importing a changed data set again creates new versions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import errors


def _load(croissant_data: str | Path | dict[str, Any]) -> tuple[dict[str, Any], Path]:
    if isinstance(croissant_data, dict):
        return croissant_data, Path(".")
    path = Path(croissant_data)
    try:
        return json.loads(path.read_text()), path.parent
    except FileNotFoundError:
        raise errors.InvalidArgument(f"no Croissant file at {str(path)!r}") from None
    except json.JSONDecodeError as e:
        raise errors.InvalidArgument(f"{str(path)!r} is not JSON ({e}): pass a Croissant JSON-LD file") from None


def _texts(value: Any) -> list[str]:
    """Names/URLs from a schema.org value: a string, a {"name"|"url"|"@id": ...} dict, or a list of them."""
    if value is None:
        return []
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        text = value.get("name") or value.get("url") or value.get("@id")
        return [str(text)] if text else []
    return [str(value)]


def _labels(names: list[str], registry: str) -> list[Any]:
    """Records of ``registry`` (ULabel, Project) named ``names``, created when new; Record when it is absent."""
    from .. import models

    model = getattr(models, registry, None) or models.Record
    return [model.filter(name=n).first() or model(name=n).save() for n in names]


def _annotate(obj: Any, licenses: list[str], projects: list[str]) -> None:
    for accessor, registry, names in (("ulabels", "ULabel", licenses), ("projects", "Project", projects)):
        records = _labels(names, registry)
        manager = getattr(obj, accessor, None) or getattr(obj, "records", None)
        if records and manager is not None:
            manager.add(*records)


def curate_from_croissant(croissant_data: str | Path | dict[str, Any], run: Any = None) -> Any:
    """An artifact (one file) or a collection (several) from a Croissant file or dict.

    >>> artifact = ln.integrations.curate_from_croissant("mini_immuno.anndata.zarr_metadata.json")  # doctest: +SKIP
    """
    from ..models import Artifact, Collection

    meta, base = _load(croissant_data)
    files = [d for d in meta.get("distribution") or [] if d.get("contentUrl")]
    if not files:
        raise errors.InvalidArgument("the Croissant file lists no distribution with a contentUrl: nothing to register")
    name, about = meta.get("name"), meta.get("description")
    description = " - ".join(t for t in (name, about) if t) or None
    version = str(meta["version"]) if meta.get("version") else None
    licenses, projects = _texts(meta.get("license")), _texts(meta.get("isPartOf"))
    artifacts = []
    for entry in files:
        url = str(entry["contentUrl"])
        path = Path(url) if Path(url).is_absolute() or (Path.cwd() / url).exists() else base / url
        if not path.exists():
            raise errors.InvalidArgument(f"the Croissant file lists {url!r}, which does not exist (looked at {path})")
        extra = {"run": run} if run is not None else {}
        artifact = Artifact(path, key=path.name, description=description, version=version, **extra).save()
        _annotate(artifact, licenses, projects)
        artifacts.append(artifact)
    if len(artifacts) == 1:
        return artifacts[0]
    collection = Collection(artifacts, key=name or artifacts[0].key, description=about, version=version).save()
    _annotate(collection, licenses, projects)
    return collection
