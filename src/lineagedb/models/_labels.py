"""The one link mechanism between artifacts and label registries (Record and every bio registry).

A label registry declares::

    artifacts = models.ManyToManyField("lineagedb.Artifact", through="<app>.Artifact<Label>",
                                       related_name="<plural>")
    Artifact<Label> = label_link("<Label>", app_label="<app>", module=__name__)

which gives ``artifact.<plural>.add(...)``, ``ln.Artifact.filter(<plural>=...)`` and links that can
carry the feature a label was annotated under.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models

# "<app_label>.<Label>" -> (link model, name of the label's FK on the link, artifact accessor name)
LABEL_LINKS: dict[str, tuple[type[models.Model], str, str]] = {}


def snake(name: str) -> str:
    """``CellType`` -> ``cell_type``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def label_link(label: str, app_label: str, module: str, accessor: str) -> type[models.Model]:
    """Create the link model ``Artifact<label>`` between Artifact and a label registry."""
    field = snake(label)
    meta = type("Meta", (), {"app_label": app_label, "unique_together": [("artifact", field, "feature")]})
    attrs: dict[str, Any] = {
        "__module__": module,
        "artifact": models.ForeignKey("lineagedb.Artifact", models.CASCADE, related_name=f"links_{field}"),
        field: models.ForeignKey(f"{app_label}.{label}", models.PROTECT, related_name="links_artifact"),
        "feature": models.ForeignKey("lineagedb.Feature", models.PROTECT, null=True, blank=True, related_name="+"),
        "created_at": models.DateTimeField(auto_now_add=True),
        "Meta": meta,
    }
    link = type(f"Artifact{label}", (models.Model,), attrs)
    LABEL_LINKS[f"{app_label}.{label}"] = (link, field, accessor)
    return link
