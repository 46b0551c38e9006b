"""Django's management commands on the connected instance: ``ln.setup.migrate.check()`` and ``ln.setup.django()``.

>>> ln.setup.migrate.check()      # doctest: +SKIP
True
>>> ln.setup.django("check")      # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .instance import _apps_for, ensure_connected


def migrations_match_models() -> bool:
    """True when the shipped migrations describe the registries exactly, i.e. ``makemigrations --check`` finds
    nothing to write (after a model change: ``python scripts/makemigrations.py --pending``)."""
    from django.core.management import call_command

    apps = _apps_for(ensure_connected())
    try:
        call_command("makemigrations", *apps, check=True, dry_run=True, verbosity=0)
    except SystemExit as e:  # makemigrations --check exits 1 when a migration is missing
        return e.code in (0, None)
    return True


def django(command: str, *args: Any, **options: Any) -> Any:
    """Run Django's management ``command`` (``"check"``, ``"showmigrations"``, ``"sqlmigrate"``, ...) on the
    connected instance; it raises on failure (``check`` raises ``SystemCheckError`` listing the problems)."""
    from django.core.management import call_command

    ensure_connected()
    return call_command(command, *args, **options)
