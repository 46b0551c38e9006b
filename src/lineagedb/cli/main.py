"""``lineagedb``: create, connect, inspect and delete instances (and more, via sub-commands).

    lineagedb init --storage ./mydata --modules bio
    lineagedb info
"""

from __future__ import annotations

import sys

import click

from .. import __version__


class _Group(click.Group):
    """Turn every error into one clear line (passwords masked) and exit status 1, instead of a traceback.

    ``LINEAGEDB_DEBUG=1`` shows the traceback of unexpected errors.
    """

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        import os

        from ..core.settings import mask_password
        from ..errors import LineageDBError

        try:
            return super().invoke(ctx)
        except LineageDBError as e:
            click.echo(f"error: {mask_password(str(e))}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as e:
            if os.environ.get("LINEAGEDB_DEBUG"):
                raise
            click.echo(f"error: {type(e).__name__}: {mask_password(str(e)).strip()} "
                       "(unexpected; set LINEAGEDB_DEBUG=1 for the traceback and please report it)", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="lineagedb")
def cli() -> None:
    """lineagedb: metadata, lineage and validation for biological data."""


@cli.command()
@click.option("--storage", required=True, help="Storage root: a local folder or s3://bucket/prefix.")
@click.option("--db", default=None, help="PostgreSQL URL (postgresql://user:pwd@host:port/db); default: SQLite.")
@click.option("--name", default=None, help="Instance name; default: the storage folder's name.")
@click.option("--modules", default=None, help="Comma-separated schema modules to mount, e.g. bio.")
def init(storage: str, db: str | None, name: str | None, modules: str | None) -> None:
    """Create an instance (or connect to the existing one at STORAGE) and make it current."""
    from ..core.instance import init as _init

    inst = _init(storage=storage, db=db, name=name, modules=modules)
    click.echo(f"instance {inst.name!r} is ready: storage {inst.storage_root}, database {inst.db_display}"
               + (f", modules {','.join(inst.modules)}" if inst.modules else ""))


@cli.command()
@click.argument("target")
def connect(target: str) -> None:
    """Connect to an instance by NAME or storage folder and make it current."""
    from ..core.instance import connect as _connect

    inst = _connect(target)
    click.echo(f"connected to {inst.name!r} ({inst.storage_root})")


@cli.command()
def info() -> None:
    """Show the current instance, its database and storage, the user and package versions."""
    from importlib.metadata import PackageNotFoundError, version

    from ..core.instance import current_user, ensure_connected

    inst = ensure_connected()
    user = current_user()
    click.echo(f"instance: {inst.name} (uid {inst.uid})")
    click.echo(f"database: {inst.dialect} {inst.db_display}")
    click.echo(f"storage:  {inst.storage_root}")
    click.echo(f"modules:  {', '.join(inst.modules) or '-'}")
    click.echo(f"user:     {user.handle} (uid {user.uid})")
    versions = []
    for pkg in ("lineagedb", "django", "pandas", "pyarrow", "anndata"):
        try:
            versions.append(f"{pkg}=={version(pkg)}")
        except PackageNotFoundError:
            pass
    click.echo(f"packages: {' '.join(versions)}")


@cli.command()
@click.argument("name")
@click.option("--force", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, force: bool) -> None:
    """Delete instance NAME: its database and managed files; never data it does not own."""
    from ..core.instance import delete as _delete

    if not force and not click.confirm(f"Delete instance {name!r} with its database and managed files?"):
        click.echo("aborted")
        return
    _delete(name)
    click.echo(f"deleted instance {name!r}")


def _register_plugins() -> None:
    """Sub-commands that capabilities add (save/load, check, serve, ...), imported when present."""
    from importlib import import_module

    for module in ("lineagedb.cli.tracking", "lineagedb.cli.check", "lineagedb.cli.serve", "lineagedb.cli.tutorial"):
        try:
            mod = import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
            continue
        for command in getattr(mod, "COMMANDS", []):
            cli.add_command(command)


_register_plugins()
