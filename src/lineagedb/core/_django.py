"""Configure Django as an embedded library for one instance at a time."""

from __future__ import annotations

from typing import Any

from .settings import InstanceSettings

CORE_APP = "lineagedb"


def module_app(module: str) -> str:
    """The Django app of a schema module: ``bio`` -> ``lineagedb.bio``."""
    return f"lineagedb.{module}"


def _postgres_config(db: str) -> dict[str, Any]:
    """Django settings for any libpq DSN form (URL, ``?password=`` parameters, ``key=value`` pairs)."""
    from psycopg.conninfo import conninfo_to_dict

    from ..errors import InstanceError
    from .settings import mask_password

    try:
        params = {k: str(v) for k, v in conninfo_to_dict(db).items() if v is not None}
    except Exception as e:  # noqa: BLE001 - psycopg's ProgrammingError for malformed DSNs
        raise InstanceError(f"invalid PostgreSQL URL {mask_password(db)}: {mask_password(str(e))}") from None
    options: dict[str, Any] = {"connect_timeout": 10}
    options.update({k: v for k, v in params.items() if k not in {"dbname", "user", "password", "host", "port"}})
    return {
        "ENGINE": "lineagedb.core._pgbackend",
        "NAME": params.get("dbname", ""),
        "USER": params.get("user", ""),
        "PASSWORD": params.get("password", ""),
        "HOST": params.get("host", ""),
        "PORT": params.get("port", ""),
        "CONN_MAX_AGE": None,
        "OPTIONS": options,
    }


def database_config(inst: InstanceSettings, create: bool = False) -> dict[str, Any]:
    """Django's DATABASES['default'] for an instance; ``create`` makes a missing SQLite file (init only)."""
    if inst.db:
        return _postgres_config(inst.db)
    path = inst.sqlite_path
    if create:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():  # owner-only from the start: SQLite gives its -wal/-shm files the same mode
            import os

            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    elif not path.is_file():
        from ..errors import InstanceError

        where = "its storage folder is gone" if not path.parent.parent.exists() else "its database file is gone"
        raise InstanceError(
            f"instance {inst.name!r} cannot be opened: {where} ({path}). If you moved or renamed the folder, "
            f"connect to its new place with `lineagedb connect NEW_FOLDER`; nothing was created at the old place"
        )
    from urllib.parse import quote

    return {
        "ENGINE": "lineagedb.core._sqlitebackend",  # Django's, plus PRAGMA optimize on close
        # mode=rw: a connection opened after the folder moved fails instead of creating an empty database
        "NAME": f"file:{quote(str(path))}?mode=rw",
        "OPTIONS": {
            "timeout": 60,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


def _inside_event_loop() -> bool:
    """Whether this thread runs an asyncio event loop right now (a Jupyter cell does)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def configure(inst: InstanceSettings, create: bool = False) -> None:
    """Point Django at ``inst``: configure it on first use, swap the database afterwards."""
    import os

    from django.conf import settings

    if _inside_event_loop():
        # Jupyter kernels (ipykernel >= 6) run cells inside a running event loop; lineagedb's queries are
        # plain synchronous calls there, so Django's async-context guard would refuse every one of them.
        # Only such a process lifts the guard: elsewhere a query from a coroutine still gets Django's error.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    db = database_config(inst, create=create)
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
    # Django's private per-process state of the handler (not in its type stubs): reset so DATABASES is read again
    connections._settings = None  # type: ignore[attr-defined]
    connections._connections = Local(connections.thread_critical)  # type: ignore[attr-defined]
