"""Create, connect, migrate and delete instances.

>>> import lineagedb as ln
>>> ln.setup.init(storage="./mydata")          # doctest: +SKIP
>>> ln.connect("mydata")                        # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import json
import os
import re
import shutil
from pathlib import Path

from .. import errors
from . import settings as _s
from ._django import configure
from .records import records
from .uids import base62

_STATE: dict = {"instance": None}
KNOWN_MODULES = {"bio"}
_MIGRATION = re.compile(r"^\d{4}_\w+\.py$")


def current() -> _s.InstanceSettings | None:
    """The connected instance's settings, or None."""
    return _STATE["instance"]


def ensure_connected() -> _s.InstanceSettings:
    """Connect to the current instance if nothing is connected yet (called on first database use)."""
    inst = _STATE["instance"]
    if inst is not None:
        return inst
    name = os.environ.get("LINEAGEDB_INSTANCE") or _s.current_instance_name()
    if name is None:
        raise errors.InstanceNotSetup(
            "no lineagedb instance is connected: create one with `lineagedb init --storage ./mydata` "
            "or connect with `lineagedb connect NAME` (Python: ln.setup.init(...), ln.connect(...))"
        )
    return connect(name)


def current_settings() -> _s.InstanceSettings:
    """The settings of the connected instance, or of the one a first database use would connect to (no connect)."""
    inst = _STATE["instance"]
    if inst is not None:
        return inst
    name = os.environ.get("LINEAGEDB_INSTANCE") or _s.current_instance_name()
    if name is None:
        return ensure_connected()  # raises the "no instance" error
    return _resolve(name)


def _parse_modules(modules: str | list[str] | None) -> list[str]:
    if not modules:
        return []
    items = modules.split(",") if isinstance(modules, str) else list(modules)
    out = []
    for m in (i.strip() for i in items):
        if m in ("bionty",):
            m = "bio"
        if m and m not in KNOWN_MODULES:
            raise errors.InvalidArgument(f"unknown module {m!r}; available modules: {sorted(KNOWN_MODULES)}")
        if m and m not in out:
            out.append(m)
    return out


def _normalize_root(storage: str) -> str:
    storage = str(storage)
    if _s.is_cloud(storage):
        return storage.rstrip("/")
    if storage.startswith("file://"):
        storage = storage[len("file://"):]
    return str(Path(storage).expanduser().resolve())


def _default_name(root: str) -> str:
    name = root.rstrip("/").split("/")[-1] or "instance"
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)


def _read_marker(root: str) -> dict | None:
    if _s.is_cloud(root):
        from .storage import upath

        remote = upath(root) / _s.MARKER_DIR / _s.MARKER_FILE
        try:
            return json.loads(remote.read_text())
        except (FileNotFoundError, OSError):
            return None
    path = Path(root) / _s.MARKER_DIR / _s.MARKER_FILE
    if not path.exists():
        return None
    marker = _s.read_json(path, "the instance marker")
    if not isinstance(marker.get("name"), str) or not isinstance(marker.get("uid"), str):
        raise errors.InstanceError(f"the instance marker {path} is damaged (no name or uid); restore it from a backup")
    return marker


def _write_marker(inst: _s.InstanceSettings) -> None:
    text = json.dumps(inst.marker(), indent=2)
    if _s.is_cloud(inst.storage_root):
        from .storage import upath

        (upath(inst.storage_root) / _s.MARKER_DIR / _s.MARKER_FILE).write_text(text)
        return
    folder = Path(inst.storage_root) / _s.MARKER_DIR
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _s.write_private(folder / _s.MARKER_FILE, text)


def init(
    storage: str,
    db: str | None = None,
    name: str | None = None,
    modules: str | list[str] | None = None,
) -> _s.InstanceSettings:
    """Create an instance (or connect to the one already at ``storage``) and make it current.

    >>> ln.setup.init(storage="./mydata", modules="bio")  # doctest: +SKIP
    """
    root = _normalize_root(storage)
    mods = _parse_modules(modules)
    marker = _read_marker(root)
    if marker is not None:  # re-running init on an existing instance connects to it
        inst = _settings_from_marker(root, marker, db)
        extra = [m for m in mods if m not in inst.modules]
        if extra:
            inst.modules = inst.modules + extra
        _end_current_run(inst)
        inst.save()
        return connect(inst.name)
    name = name or _default_name(root)
    _refuse_name_taken(name, root)
    check_writable(root)
    inst = _s.InstanceSettings(name=name, uid=base62(12), storage_root=root, db=db, modules=mods)
    if db:
        _check_postgres_empty_or_ours(inst)
    _end_current_run(inst)
    made_db = not db and not inst.sqlite_path.exists()
    inst.save()
    try:
        connect(inst.name, _new=True)
    except BaseException:
        _s.forget_instance(inst.name)
        disconnect()
        if made_db:  # nothing half-made stays behind: the next init starts from scratch
            for path in inst.sqlite_path.parent.glob(inst.sqlite_path.name + "*"):
                path.unlink(missing_ok=True)
        raise
    _write_marker(inst)
    return inst


def _refuse_name_taken(name: str, root: str) -> None:
    """InstanceError when another storage folder already holds an instance of this name."""
    if name not in _s.known_instances():
        return
    other = _s.InstanceSettings.load(name)
    if other.storage_root != root:
        raise errors.InstanceError(
            f"an instance named {name!r} already exists with storage {other.storage_root}; choose another name "
            f"(--name / name=...), or delete it first with `lineagedb delete {name}`"
        )


def _end_current_run(target: _s.InstanceSettings | None) -> None:
    """End a tracked run in its own instance before switching (saves after the switch carry no run of it)."""
    from . import context

    run, old = context.get_run(), _STATE["instance"]
    context.set_run(None)
    if run is None or old is None or getattr(run, "status", None) != "started":
        return
    import sys

    from django.utils import timezone

    run.status, run.finished_at = "aborted", timezone.now()
    try:
        run.save(update_fields=["status", "finished_at"])
    except Exception as e:  # noqa: BLE001 - the switch goes on; say what could not be recorded
        print(f"! could not mark run {run.uid} aborted in instance {old.name!r}: {_s.mask_password(str(e))}",
              file=sys.stderr)
        return
    where = f" to connect to {target.name!r}" if target is not None and target.name != old.name else ""
    print(f"→ run {run.uid} in instance {old.name!r} marked aborted: it ended{where} "
          "(call ln.finish() before switching to mark it completed)", file=sys.stderr)


def check_writable(root: str) -> None:
    """StorageError unless files can be created in ``root`` (created if missing); nothing is left behind."""
    if not _s.is_cloud(root):
        path = Path(root)
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / f".lineagedb-write-probe-{base62(6)}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise errors.StorageError(f"storage root {root} is not writable ({e.strerror}); choose another --storage") from e
    else:  # a cloud root: fail before creating anything when the bucket is missing or read-only
        from ._cloud import check_writable as check_cloud

        check_cloud(root)


def _settings_from_marker(root: str, marker: dict, db: str | None) -> _s.InstanceSettings:
    """The settings of the instance whose marker is in ``root``; a moved instance's settings follow it."""
    name = marker["name"]
    if name in _s.known_instances():
        known = _s.InstanceSettings.load(name)
        if known.storage_root == root:
            return known
        old_marker = _read_marker(known.storage_root)
        if known.uid != marker["uid"] or old_marker is not None:
            if known.uid == marker["uid"]:
                advice = "the two folders are copies of one instance: work in one of them and archive the other"
            else:
                advice = (f"they are different instances: connect to the registered one by name, or delete it "
                          f"with `lineagedb delete {name}` (its database and managed files go) to use this one")
            raise errors.InstanceError(
                f"{root} holds instance {name!r}, but an instance of that name is registered at "
                f"{known.storage_root}; {advice}"
            )
        if _s.is_cloud(root) == _s.is_cloud(known.storage_root):  # moved: keep the settings, follow the folder
            known.storage_root = root
            return known
    if marker.get("db") and not db:
        db = marker["db"]
        if "***" in db:
            raise errors.InstanceError(
                f"the instance at {root} uses PostgreSQL ({db}); pass the full URL with --db to connect"
            )
    return _s.InstanceSettings(name=name, uid=marker["uid"], storage_root=root, db=db, modules=marker.get("modules", []))


def _check_postgres_empty_or_ours(inst: _s.InstanceSettings) -> None:
    """Connect once to fail early with a clear message when the server is unreachable."""
    try:
        import psycopg
    except ImportError as e:
        raise errors.InstanceError("PostgreSQL needs psycopg: pip install 'lineagedb[postgres]'") from e
    try:
        psycopg.connect(inst.db or "", connect_timeout=10).close()
    except psycopg.OperationalError as e:
        raise errors.InstanceError(
            f"cannot connect to {inst.db_display}: {str(e).strip().splitlines()[-1]}; check that the server runs "
            "and the database exists"
        ) from None


def connect(target: str, _new: bool = False) -> _s.InstanceSettings:
    """Connect to an instance by name or by its storage folder, and make it current.

    >>> ln.connect("mydata")  # doctest: +SKIP
    """
    inst = _resolve(target)
    _check_modules(inst)
    if not _new and not _s.is_cloud(inst.storage_root) and not Path(inst.storage_root).is_dir():
        raise errors.InstanceError(
            f"the storage folder of instance {inst.name!r} is gone ({inst.storage_root}). If you moved or renamed it, "
            "connect to its new place with `lineagedb connect NEW_FOLDER`; nothing was created at the old place"
        )
    if not _new:
        _end_current_run(inst)
    try:
        configure(inst, create=_new)
        _STATE["instance"] = inst
        migrate_if_needed(inst)
        _relocate_own_root(inst)
        _ensure_root_storage(inst)
    except errors.LineageDBError:
        disconnect()
        raise
    except Exception as e:
        from django.db import DatabaseError

        disconnect()
        if not isinstance(e, DatabaseError):
            raise
        raise errors.InstanceError(
            f"the database of instance {inst.name!r} ({inst.db_display}) cannot be opened: "
            f"{_s.mask_password(str(e).strip())}. "
            + ("Restore it from a backup (a copy taken before the last migration may be at "
               f"{_backup_path(inst)})" if not inst.db else "Check that the server runs and the database exists")
        ) from None
    _s.set_current_instance(inst.name)
    from . import context

    context.on_connect()
    return inst


def _check_modules(inst: _s.InstanceSettings) -> None:
    unknown = [m for m in inst.modules if m not in KNOWN_MODULES]
    if unknown:
        raise errors.InstanceError(
            f"instance {inst.name!r} mounts unknown module(s) {unknown} (settings file "
            f"{_s.home() / 'instances' / (inst.name + '.json')}); available modules: {sorted(KNOWN_MODULES)}"
        )


def _relocate_own_root(inst: _s.InstanceSettings) -> None:
    """After the storage folder moved, point this instance's Storage row at the new place.

    The folder's marker says where the instance was created (``root``) and its id (``uid``); the
    database's Storage row with that root and ``instance_uid`` is the instance's own root.
    """
    if _s.is_cloud(inst.storage_root):
        return
    marker = _read_marker(inst.storage_root) or {}
    old = marker.get("root")
    if marker.get("uid") == inst.uid and old != inst.storage_root:
        if old and records().move_root(old, inst.storage_root, inst.uid):
            import sys

            print(f"→ instance {inst.name!r} moved from {old} to {inst.storage_root}: its storage record follows",
                  file=sys.stderr)
        _write_marker(inst)


def _resolve(target: str) -> _s.InstanceSettings:
    if target in _s.known_instances():
        return _s.InstanceSettings.load(target)
    if "/" in target or Path(target).exists() or _s.is_cloud(target):
        root = _normalize_root(target)
        marker = _read_marker(root)
        if marker is None:
            raise errors.InstanceNotSetup(f"no lineagedb instance at {root}; create one with `lineagedb init --storage {target}`")
        inst = _settings_from_marker(root, marker, None)
        inst.save()
        return inst
    return _s.InstanceSettings.load(target)  # raises with the list of known instances


def shipped_migrations(app: str) -> list[str]:
    """The migration names this package ships for an app (``lineagedb`` or ``bio``)."""
    from importlib.resources import files

    folder = files("lineagedb") / "migrations" if app == "lineagedb" else files("lineagedb.bio") / "migrations"
    return sorted(p.name[:-3] for p in folder.iterdir() if _MIGRATION.match(p.name))


def _apps_for(inst: _s.InstanceSettings) -> list[str]:
    """The app labels whose tables this process keeps in step: the core and every module it loaded.

    A module's tables are created in every instance a process with that module connects to, mounted
    there or not: Django's delete cascades visit the link tables of every loaded module (e.g.
    ``bio_artifactcelltype`` when an artifact is deleted). They stay empty where the module is not mounted.
    """
    from django.apps import apps as django_apps

    return ["lineagedb", *(m for m in sorted(KNOWN_MODULES) if django_apps.is_installed(f"lineagedb.{m}"))]


def migrate_if_needed(inst: _s.InstanceSettings) -> None:
    """Apply shipped migrations the database lacks; refuse a database newer than this package."""
    from django.db import connection

    _undo_interrupted_migration(inst)
    with connection.cursor() as cur:
        tables = set(connection.introspection.table_names(cur))
        applied: dict[str, set[str]] = {}
        if "django_migrations" in tables:
            cur.execute("SELECT app, name FROM django_migrations")
            for app, mig in cur.fetchall():
                applied.setdefault(app, set()).add(mig)
    pending = []
    for app in _apps_for(inst):
        shipped = set(shipped_migrations(app))
        newer = applied.get(app, set()) - shipped
        if newer:
            raise errors.InstanceError(
                f"instance {inst.name!r} was migrated by a newer lineagedb (unknown migrations {sorted(newer)} "
                f"in module {app!r}); upgrade lineagedb: pip install -U lineagedb"
            )
        if shipped - applied.get(app, set()):
            pending.append(app)
    if pending:
        _migrate(inst, pending, existing=bool(applied))


def _migrate(inst: _s.InstanceSettings, apps: list[str], existing: bool = True) -> None:
    """Apply pending migrations; a failure leaves the database as it was.

    PostgreSQL: all pending migrations run in one transaction (DDL is transactional there), under an
    advisory lock so that two processes opening an old instance do not migrate it twice. SQLite cannot
    alter tables inside an outer transaction: each migration is atomic, and a consistent copy of the
    database (``lineagedb.sqlite3.bak``, 0600) is taken first and copied back if a migration fails, or
    by the next connect if the migrating process was killed (``lineagedb.sqlite3.migrating`` marks that).
    """
    from django.core.management import call_command
    from django.db import connection, transaction

    backup = None
    with _migration_flag(inst) if not inst.db and existing else contextlib.nullcontext() as flag:
        if flag is not None:
            connection.close()
            backup = _backup_path(inst)
            _sqlite_copy(inst.sqlite_path, backup)
            os.write(flag, b"migrating\n")  # a crash from here on is undone by the next connect
            os.fsync(flag)
        try:
            with transaction.atomic() if inst.db else contextlib.nullcontext():
                if inst.db:
                    with connection.cursor() as cur:
                        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended('lineagedb:migrate', 0))")
                fresh = []
                for app in apps:
                    if _create_fresh(app):
                        fresh.append(app)
                    else:
                        call_command("migrate", app, verbosity=0, interactive=False)
                if fresh:  # tables made straight from the models: send what `migrate` sends (apps seed rows)
                    from django.core.management.sql import emit_post_migrate_signal

                    emit_post_migrate_signal(0, False, connection.alias)
            if flag is not None:
                os.ftruncate(flag, 0)
        except Exception as e:
            where = "rolled back"
            if backup is not None:
                connection.close()
                _sqlite_copy(backup, inst.sqlite_path)
                if flag is not None:
                    os.ftruncate(flag, 0)
                where = f"restored from {backup}"
            raise errors.InstanceError(
                f"migrating instance {inst.name!r} failed ({type(e).__name__}: {e}); the database was {where} and "
                "still opens with the lineagedb version that created it"
            ) from e
    if not inst.db:
        os.chmod(inst.sqlite_path, 0o600)
    current_user()


def _backup_path(inst: _s.InstanceSettings) -> Path:
    return inst.sqlite_path.with_suffix(".sqlite3.bak")


def _flag_path(inst: _s.InstanceSettings) -> Path:
    return inst.sqlite_path.with_suffix(".sqlite3.migrating")


@contextlib.contextmanager
def _migration_flag(inst: _s.InstanceSettings):  # noqa: ANN202
    """Hold an exclusive lock on ``lineagedb.sqlite3.migrating`` (yields its descriptor); removed when done.

    Non-empty content while nobody holds the lock means a migration died half-way.
    """
    import fcntl

    path = _flag_path(inst)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another process migrating the same file: wait for it
        yield fd
    finally:
        if os.fstat(fd).st_size == 0:
            path.unlink(missing_ok=True)
        os.close(fd)


def _undo_interrupted_migration(inst: _s.InstanceSettings) -> None:
    """SQLite: if a process was killed while migrating, put the pre-migration copy back first."""
    if inst.db or not _flag_path(inst).exists():
        return
    from django.db import connection

    with _migration_flag(inst) as flag:
        if os.fstat(flag).st_size and _backup_path(inst).exists():
            connection.close()
            _sqlite_copy(_backup_path(inst), inst.sqlite_path)
        os.ftruncate(flag, 0)


def _sqlite_copy(src: Path, dst: Path) -> None:
    """A consistent copy of a live SQLite database (committed pages in its -wal file included), 0600."""
    import sqlite3
    from contextlib import closing

    if not dst.exists():
        os.close(os.open(dst, os.O_WRONLY | os.O_CREAT, 0o600))
    with closing(sqlite3.connect(src, timeout=60)) as source, closing(sqlite3.connect(dst, timeout=60)) as target:
        source.backup(target)
    os.chmod(dst, 0o600)


def _create_fresh(app: str) -> bool:
    """Create an app's tables straight from its models when none of its migrations ran yet.

    Replaying migrations renders every intermediate model state (tens of seconds for ~90 models); a fresh
    database needs only the final state, after which the shipped migrations are recorded as applied.
    Returns False when the app already has applied migrations (then the migration executor runs).
    """
    from django.apps import apps as django_apps
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if recorder.has_table() and recorder.migration_qs.filter(app=app).exists():
        return False
    recorder.ensure_schema()
    with connection.schema_editor(atomic=True) as editor:  # one transaction: all tables or none
        for model in django_apps.get_app_config(app).get_models():
            editor.create_model(model)
        for name in shipped_migrations(app):
            recorder.record_applied(app, name)
    return True


def _ensure_root_storage(inst: _s.InstanceSettings) -> None:
    records().register_root(inst.storage_root, inst.uid)


@functools.lru_cache(maxsize=1)
def _os_user() -> str:
    return getpass.getuser()


def current_user():
    """The User record of the OS user, created on first use (no login, no network)."""
    handle = os.environ.get("LINEAGEDB_USER") or _os_user()
    user = _STATE.get("user")
    if user is not None and user.handle == handle and _STATE.get("user_instance") is _STATE["instance"]:
        return user
    user = records().user(handle)
    _STATE["user"], _STATE["user_instance"] = user, _STATE["instance"]
    return user


def disconnect() -> None:
    """Close the database connection and forget the connected instance."""
    from django.db import connections

    connections.close_all()
    _STATE["instance"] = None
    _STATE.pop("user", None)


def delete(name: str) -> None:
    """Delete an instance's database and settings; never data it does not own.

    Managed files under ``<root>/.lineagedb/`` go with the SQLite file; in-place registered files and
    anything else in the storage root stay. A PostgreSQL database is emptied of lineagedb's tables only.
    """
    inst = _s.InstanceSettings.load(name)
    if _STATE["instance"] is not None and _STATE["instance"].name == name:
        if inst.db:
            _drop_postgres_tables()
        disconnect()
    elif inst.db:
        _end_current_run(None)
        configure(inst)
        _STATE["instance"] = inst
        _drop_postgres_tables()
        disconnect()
    if _s.is_cloud(inst.storage_root):
        from .storage import upath

        managed = upath(inst.storage_root) / _s.MARKER_DIR
        if managed.exists():
            managed.fs.rm(str(managed), recursive=True)
        shutil.rmtree(_s.home() / "instances" / inst.name, ignore_errors=True)
    else:
        shutil.rmtree(Path(inst.storage_root) / _s.MARKER_DIR, ignore_errors=True)
    _s.forget_instance(name)


def _drop_postgres_tables() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        tables = [t for t in connection.introspection.table_names(cur) if t.startswith(("lineagedb_", "bio_")) or t == "django_migrations"]
        for t in tables:
            cur.execute(f'DROP TABLE IF EXISTS "{t}" CASCADE')
