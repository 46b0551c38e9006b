"""The Django app of the core registries, and where the floors are wired together when it loads.

The foundations (``core``) and the registries (``models``) cannot import what sits above them; ``ready()``
plugs the registries into ``core.records`` and the curators into the artifacts' schema validation.
"""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender: Any, using: str = "default", **_: Any) -> None:
    from .models.branch import seed_defaults

    seed_defaults(using)


def _curators() -> Any:
    from . import curators  # on first validation, not at connect: most sessions never validate

    return curators


class LineageDBConfig(AppConfig):
    name = "lineagedb"
    label = "lineagedb"
    verbose_name = "lineagedb core registries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_seed, sender=self, dispatch_uid="lineagedb.seed_branches_spaces")

        from django.apps import apps

        from .core.records import register
        from .models._artifact_validation import plug_validation
        from .models._base import guard_many_to_many
        from .models._core_records import CoreRecords

        guard_many_to_many(apps.get_models())
        register(CoreRecords())
        plug_validation(_curators)
