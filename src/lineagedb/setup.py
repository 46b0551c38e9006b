"""Python equivalents of the set-up commands: ``ln.setup.init``, ``ln.connect``, ``ln.setup.delete``.

>>> import lineagedb as ln
>>> ln.setup.init(storage="./mydata", modules="bio")  # doctest: +SKIP
"""

from __future__ import annotations

from .core.instance import connect as _connect
from .core.instance import current, delete, disconnect, init
from .core.settings import InstanceSettings

__all__ = ["init", "connect", "delete", "disconnect", "current", "InstanceSettings", "settings", "check",  # noqa: F822 - settings and check come from __getattr__
           "migrate", "switch", "django"]


def connect(target: str) -> InstanceSettings:
    """Connect to an instance by name or storage folder and make it current."""
    return _connect(target)


def switch(branch: object) -> object:
    """Make ``branch`` (a Branch or its name) the current branch of this process and return it.

    New records go to the current branch; class-level queries show ``main`` plus the current branch; a new
    version saved on a branch becomes the latest version *on that branch* only. ``switch("main")`` goes back.
    Connecting to an instance starts on ``main``.

    >>> ln.setup.switch("my-contribution")  # doctest: +SKIP
    >>> ln.setup.switch("main")             # doctest: +SKIP
    """
    from . import errors
    from .core.context import set_branch_id
    from .models import Branch

    if isinstance(branch, str):
        found = Branch.objects.filter(name=branch).first()
        if found is None:
            raise errors.DoesNotExist(
                f"There is no branch named {branch!r}; create it with ln.Branch(name={branch!r}).save() first"
            )
        branch = found
    if not isinstance(branch, Branch) or branch.pk is None:
        raise errors.InvalidArgument(f"switch() takes a saved Branch or a branch name, not {branch!r}")
    if branch.pk in (-1, 0):
        raise errors.InvalidArgument(f"switch({branch.name!r}): the trash and the archive are not branches to work on")
    set_branch_id(branch.pk)
    return branch


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
