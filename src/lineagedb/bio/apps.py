from django.apps import AppConfig


class BioConfig(AppConfig):
    name = "lineagedb.bio"
    label = "bio"
    verbose_name = "lineagedb biological registries"
    default_auto_field = "django.db.models.BigAutoField"
