"""Guarantee: opening an instance made by an older release migrates it all-or-nothing.

A "newer release" is simulated in a worker process that ships one or two extra migrations after the
installed ones (a column added to Record, filled for existing rows). PostgreSQL runs them
in one transaction; SQLite copies the database to ``lineagedb.sqlite3.bak`` first and copies it back
when a migration fails, or on the next connect when the migrating process was killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from importlib.resources import files
from pathlib import Path

import pytest
from reliability_helpers import BACKEND, spawn

HEADER = "from django.db import migrations, models\n\n\n"
ADD_COLUMN = HEADER + '''def fill(apps, schema_editor):
    apps.get_model("lineagedb", "Record").objects.update(reliability_probe="migrated")


class Migration(migrations.Migration):
    dependencies = [("lineagedb", "{last}")]
    operations = [
        migrations.AddField("record", "reliability_probe", models.CharField(max_length=20, null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
'''
FAILING = HEADER + '''def fail(apps, schema_editor):
    {body}


class Migration(migrations.Migration):
    dependencies = [("lineagedb", "0900_probe")]
    operations = [migrations.RunPython(fail, migrations.RunPython.noop)]
'''
RAISE = 'raise RuntimeError("this migration fails")'
KILL = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"


SHIPPED = sorted(p.name[:-3] for p in Path(str(files("lineagedb") / "migrations")).glob("0[0-8]*_*.py"))


def _release(tmp_path: Path, name: str, *extra: tuple[str, str]) -> Path:
    """A migrations folder: the shipped migrations plus ``extra`` ones on top of the last shipped one."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for shipped in SHIPPED:
        shutil.copy(files("lineagedb") / "migrations" / f"{shipped}.py", folder / f"{shipped}.py")
    for fname, text in extra:
        (folder / fname).write_text(text.replace("{last}", SHIPPED[-1]))
    return folder


def _state(ln) -> tuple[bool, set[str]]:
    """(probe column present, applied lineagedb migrations)."""
    from django.db import connection

    from lineagedb.models import Record

    with connection.cursor() as cur:
        columns = {c.name for c in connection.introspection.get_table_description(cur, Record._meta.db_table)}
        cur.execute("SELECT name FROM django_migrations WHERE app = 'lineagedb'")
        applied = {r[0] for r in cur.fetchall()}
    return "reliability_probe" in columns, applied


def _old_instance(ln, make_instance, tmp_path):
    inst = make_instance(modules="")
    ln.Record(name="kept").save()
    src = tmp_path / "data.txt"
    src.write_text("old data\n")
    ln.Artifact(src, key="old/data.txt").save()
    from django.db import connection

    connection.close()
    return inst


def _assert_old_instance_usable(ln, inst) -> None:
    ln.connect(inst.name)  # this (older) package opens it: nothing it does not know was applied
    assert ln.Record.get(name="kept").name == "kept"
    assert Path(ln.Artifact.get(key="old/data.txt").cache()).read_text() == "old data\n"
    ln.Record(name="written after").save()


def test_older_instance_is_migrated_after_a_backup(ln, make_instance, tmp_path):
    inst = _old_instance(ln, make_instance, tmp_path)
    release = _release(tmp_path, "release_ok", ("0900_probe.py", ADD_COLUMN))
    p = spawn(inst.name, "migrate", str(release))
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err[-3000:]
    assert _state(ln) == (True, {*SHIPPED, "0900_probe"})
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT reliability_probe FROM lineagedb_record WHERE name = 'kept'")
        assert cur.fetchone()[0] == "migrated"
    if BACKEND == "sqlite":
        backup = Path(inst.storage_root) / ".lineagedb" / "lineagedb.sqlite3.bak"
        assert backup.stat().st_mode & 0o777 == 0o600
        with sqlite3.connect(backup) as old:  # the copy is the database as it was before
            assert old.execute("SELECT name FROM lineagedb_record").fetchall() == [("kept",)]
            assert "reliability_probe" not in {r[1] for r in old.execute("PRAGMA table_info(lineagedb_record)")}
        assert not backup.with_suffix(".migrating").exists()


@pytest.mark.parametrize("how", ["raises", "killed"])
def test_interrupted_migration_leaves_the_old_database_usable(ln, make_instance, tmp_path, how):
    inst = _old_instance(ln, make_instance, tmp_path)
    failing = FAILING.format(body=RAISE if how == "raises" else KILL)
    release = _release(tmp_path, f"release_{how}", ("0900_probe.py", ADD_COLUMN), ("0901_fail.py", failing))
    p = spawn(inst.name, "migrate", str(release))
    out, err = p.communicate(timeout=120)
    if how == "raises":
        assert p.returncode == 1 and "InstanceError" in err and "this migration fails" in err, err[-3000:]
    else:
        assert p.returncode == -signal.SIGKILL
    _assert_old_instance_usable(ln, inst)  # for SQLite after a kill: the next connect restores the copy
    assert _state(ln) == (False, set(SHIPPED))
    assert ln.setup.check().ok


def test_fresh_instances_are_not_backed_up(ln, make_instance):
    inst = make_instance(modules="")
    assert not (Path(inst.storage_root) / ".lineagedb" / "lineagedb.sqlite3.bak").exists()
    assert "lineagedb.sqlite3.migrating" not in os.listdir(Path(inst.storage_root) / ".lineagedb")
