"""Regenerate the shipped migrations from the models.

Until the first release, each app ships a single ``0001_initial``; run this after changing a model:

    python scripts/makemigrations.py            # rewrite 0001_initial of every app
    python scripts/makemigrations.py --keep     # add a new migration on top (after a release)
"""

from __future__ import annotations

import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "lineagedb"
FOLDERS = {"lineagedb": SRC / "migrations", "bio": SRC / "bio" / "migrations"}


def main() -> None:
    if "--keep" not in sys.argv:
        for folder in FOLDERS.values():
            for f in folder.glob("[0-9][0-9][0-9][0-9]_*.py"):
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
    call_command("makemigrations", "lineagedb", "bio", verbosity=1)


if __name__ == "__main__":
    main()
