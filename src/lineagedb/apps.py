from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender: Any, using: str = "default", **_: Any) -> None:
    from .models.branch import seed_defaults

    seed_defaults(using)


class LineageDBConfig(AppConfig):
    name = "lineagedb"
    label = "lineagedb"
    verbose_name = "lineagedb core registries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_seed, sender=self, dispatch_uid="lineagedb.seed_branches_spaces")

        from django.apps import apps

        from .models._base import guard_many_to_many

        guard_many_to_many(apps.get_models())
