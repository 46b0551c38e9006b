from django.apps import AppConfig


class LineageDBConfig(AppConfig):
    name = "lineagedb"
    label = "lineagedb"
    verbose_name = "lineagedb core registries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.apps import apps

        from .models._base import guard_many_to_many

        guard_many_to_many(apps.get_models())
