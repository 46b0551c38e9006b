"""Python equivalents of the set-up commands: ``ln.setup.init``, ``ln.connect``, ``ln.setup.delete``.

>>> import lineagedb as ln
>>> ln.setup.init(storage="./mydata", modules="bio")  # doctest: +SKIP
"""

from __future__ import annotations

from .core.instance import connect as _connect
from .core.instance import current, delete, disconnect, init
from .core.settings import InstanceSettings

__all__ = ["init", "connect", "delete", "disconnect", "current", "InstanceSettings", "settings", "check", "migrate",  # noqa: F822 - settings and check come from __getattr__
           "django"]


def connect(target: str) -> InstanceSettings:
    """Connect to an instance by name or storage folder and make it current."""
    return _connect(target)


class _Migrate:
    """``ln.setup.migrate``: the migrations of the connected instance (applied on connect, as needed)."""

    @staticmethod
    def check() -> bool:
        """True when the shipped migrations describe the registries exactly.

        >>> ln.setup.migrate.check()  # doctest: +SKIP
        True
        """
        from .core.manage import migrations_match_models

        return migrations_match_models()


migrate = _Migrate()


def django(command: str, *args: object, **options: object) -> object:
    """Run one of Django's management commands on the connected instance.

    >>> ln.setup.django("check")            # doctest: +SKIP
    >>> ln.setup.django("showmigrations")   # doctest: +SKIP
    """
    from .core.manage import django as _django

    return _django(command, *args, **options)


def __getattr__(name: str):  # noqa: ANN202
    if name == "settings":
        from .core.user_settings import settings

        return settings
    if name == "check":  # integrity check of rows and stored files (core/integrity.py)
        from .core.integrity import check

        return check
    raise AttributeError(name)
