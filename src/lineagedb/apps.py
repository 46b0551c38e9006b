from django.apps import AppConfig


class LineageDBConfig(AppConfig):
    name = "lineagedb"
    label = "lineagedb"
    verbose_name = "lineagedb core registries"
    default_auto_field = "django.db.models.BigAutoField"
