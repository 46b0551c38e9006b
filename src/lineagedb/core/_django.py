"""Configure Django as an embedded library for one instance at a time."""

from __future__ import annotations

from typing import Any

from .settings import InstanceSettings

CORE_APP = "lineagedb"


def module_app(module: str) -> str:
    """The Django app of a schema module: ``bio`` -> ``lineagedb.bio``."""
    return f"lineagedb.{module}"


def database_config(inst: InstanceSettings) -> dict[str, Any]:
    """Django's DATABASES['default'] for an instance."""
    if inst.db:
        from urllib.parse import unquote, urlsplit

        url = urlsplit(inst.db)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": url.path.lstrip("/"),
            "USER": unquote(url.username or ""),
            "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname or "",
            "PORT": str(url.port or ""),
            "CONN_MAX_AGE": None,
            "OPTIONS": {"connect_timeout": 10},
        }
    path = inst.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():  # owner-only from the start: SQLite gives its -wal/-shm files the same mode
        import os

        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 60,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


def configure(inst: InstanceSettings) -> None:
    """Point Django at ``inst``: configure it on first use, swap the database afterwards."""
    import os

    from django.conf import settings

    # Jupyter kernels (ipykernel >= 6) run cells inside a running event loop; lineagedb's queries are
    # plain synchronous calls there, so Django's async-context guard would refuse every one of them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    db = database_config(inst)
    if not settings.configured:
        # only the mounted modules' models are built: an instance without bio never pays for its ~30 models
        settings.configure(
            DATABASES={"default": db},
            INSTALLED_APPS=[CORE_APP, *(module_app(m) for m in inst.modules)],
            USE_TZ=True,
            TIME_ZONE="UTC",
            DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
            LOGGING_CONFIG=None,
            MIGRATION_MODULES={},
        )
        from django.apps import apps

        apps.populate(settings.INSTALLED_APPS)  # django.setup() minus URL and logging set-up (faster import)
        return
    from django.apps import apps as django_apps

    missing = [m for m in inst.modules if not django_apps.is_installed(module_app(m))]
    if missing:
        from ..errors import InstanceError

        raise InstanceError(
            f"instance {inst.name!r} mounts {missing}, which this Python process did not load (it first connected "
            "to an instance without them); start a new Python process to use it"
        )
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
    from asgiref.local import Local

    settings.DATABASES = {"default": db}
    connections.__dict__.pop("settings", None)  # a cached_property: recomputed from DATABASES
    connections._settings = None
    connections._connections = Local(connections.thread_critical)
