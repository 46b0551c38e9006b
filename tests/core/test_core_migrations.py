"""Migrations ship with the package, apply on connect, and never silently downgrade."""

import os
import subprocess
import sys

import pytest


def test_instance_newer_than_package_is_refused(ln, make_instance):
    from django.db import connection

    from lineagedb.core.instance import connect

    inst = make_instance(modules="")
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('lineagedb', '9999_from_the_future', CURRENT_TIMESTAMP)"
        )
    with pytest.raises(ln.errors.InstanceError, match="newer lineagedb.*9999_from_the_future"):
        connect(inst.name)


def test_module_must_be_mounted(ln, make_instance):
    import lineagedb.bio as bt

    make_instance(modules="")
    bt.__dict__.pop("CellType", None)
    with pytest.raises(ln.errors.ModuleNotMounted, match="--modules bio"):
        bt.CellType  # noqa: B018


def test_mounting_a_module_later_opens_its_registries(ln, make_instance, tmp_path):
    import lineagedb.bio as bt

    make_instance(modules="", storage=str(tmp_path / "later"))
    bt.__dict__.pop("CellType", None)
    with pytest.raises(ln.errors.ModuleNotMounted):
        bt.CellType  # noqa: B018
    ln.setup.init(storage=str(tmp_path / "later"), modules="bio")
    assert "bio" in ln.setup.current().modules
    assert bt.CellType.filter().count() == 0


def test_artifacts_delete_on_an_instance_without_bio(ln, make_instance, tmp_path):
    make_instance(modules="")
    path = tmp_path / "x.txt"
    path.write_text("no bio here")
    artifact = ln.Artifact(str(path), key="x.txt").save()
    artifact.delete(permanent=True)
    assert ln.Artifact.filter(key="x.txt", branch=-1).count() == 0


def test_import_is_lazy():
    code = (
        "import sys, lineagedb as ln; "
        "heavy = [m for m in ('pandas', 'anndata', 'torch', 's3fs', 'django.db.models', 'lineagedb.models') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_shipped_migrations_match_the_models(ln):
    """Fresh instances get their tables straight from the models; this holds only while the shipped
    migrations describe exactly those models (run scripts/makemigrations.py after changing a model)."""
    assert ln.setup.migrate.check()


def test_migrate_check_sees_a_model_the_migrations_do_not_describe(ln):
    field = ln.ULabel._meta.get_field("name")
    saved = field.max_length
    field.max_length = saved + 1
    try:
        assert ln.setup.migrate.check() is False
    finally:
        field.max_length = saved
    assert ln.setup.migrate.check() is True


def test_setup_django_runs_management_commands(ln, capsys):
    from django.core.management.base import CommandError

    ln.setup.django("check")
    assert "no issues" in capsys.readouterr().out
    with pytest.raises(CommandError):
        ln.setup.django("no-such-command")


def test_first_query_does_not_load_storage_or_table_libraries(ln):
    """Connecting and counting needs Django and the registries only: universal-pathlib/fsspec, pandas
    and numpy load when an artifact's storage or data is touched."""
    code = (
        "import sys, lineagedb as ln; ln.Artifact.filter().count(); "
        "print([m for m in ('upath', 'fsspec', 'pandas', 'numpy', 's3fs') if m in sys.modules])"
    )
    import lineagedb.core.instance as inst

    env = {**os.environ, "LINEAGEDB_INSTANCE": inst.current().name}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_modules_load_only_where_mounted(tmp_path):
    """A process connected to an instance without bio never builds bio's models; connecting it to a bio
    instance afterwards is refused with what to do (INSTALLED_APPS cannot change inside a process)."""
    from ldb_testing import BACKEND

    if BACKEND != "sqlite":
        pytest.skip("process-level behaviour; the database backend does not matter")
    env = {**os.environ, "LINEAGEDB_HOME": str(tmp_path / "home")}
    env.pop("LINEAGEDB_INSTANCE", None)
    for name, modules in (("plain", []), ("withbio", ["--modules", "bio"])):
        subprocess.run([sys.executable, "-m", "lineagedb.cli", "init", "--storage", str(tmp_path / name), *modules],
                       check=True, capture_output=True, env=env)
    code = (
        "import sys, lineagedb as ln\n"
        "ln.connect('plain'); ln.Artifact.filter().count()\n"
        "print('bio loaded:', 'lineagedb.bio.models' in sys.modules)\n"
        "try:\n    ln.connect('withbio')\nexcept ln.errors.InstanceError as e:\n    print('refused:', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert "bio loaded: False" in out
    assert "refused:" in out and "new Python process" in out
