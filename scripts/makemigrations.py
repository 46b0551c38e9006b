"""Regenerate the shipped migrations from the models.

Until the first release, each app ships a single ``0001_initial``; run this after changing a model:

    python scripts/makemigrations.py            # rewrite 0001_initial of every app
    python scripts/makemigrations.py --keep     # add a new migration on top (after a release)
    python scripts/makemigrations.py --pending  # (re)write 0002_pending: every change since 0001 in one file

``--pending`` keeps ``0001_initial`` (what released instances have applied) and regenerates one
``0002_pending`` per app from the models, so parallel branches that each change models merge by
rerunning it instead of by resolving generated code.
"""

from __future__ import annotations

import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "lineagedb"
FOLDERS = {"lineagedb": SRC / "migrations", "bio": SRC / "bio" / "migrations"}


def main() -> None:
    pending = "--pending" in sys.argv
    if "--keep" not in sys.argv:
        for folder in FOLDERS.values():
            for f in folder.glob("[0-9][0-9][0-9][0-9]_*.py"):
                if not (pending and f.name.startswith("0001_")):
                    f.unlink()
    from django.conf import settings

    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=["lineagedb", "lineagedb.bio"],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    import django
    from django.core.management import call_command

    django.setup()
    if pending:
        for app in FOLDERS:
            call_command("makemigrations", app, name="pending", verbosity=1)
    else:
        call_command("makemigrations", "lineagedb", "bio", verbosity=1)


if __name__ == "__main__":
    main()
