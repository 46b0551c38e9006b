"""``ln.settings``: the connected instance, its default storage, the user and the cache folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import errors
from . import instance as _instance
from .records import records
from .settings import home


class CreationSettings:
    """How new records are created (``ln.settings.creation``).

    - ``search_names``: accepted for LaminDB code; lineagedb never runs a name search when a record is
      constructed (saving a record whose name exists returns the saved one instead), so it changes nothing;
    - ``artifact_silence_missing_run_warning``: no message when an artifact is saved without a tracked run.

    >>> ln.settings.creation.search_names = False  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.search_names: bool = True
        self.artifact_silence_missing_run_warning: bool = False

    def __repr__(self) -> str:
        return f"CreationSettings(search_names={self.search_names}, artifact_silence_missing_run_warning={self.artifact_silence_missing_run_warning})"


class Settings:
    """Settings of the current session.

    >>> ln.settings.storage              # doctest: +SKIP
    >>> ln.settings.storage = "s3://my-bucket/other"  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._storage: Any = None
        self.verbosity: str = os.environ.get("LINEAGEDB_VERBOSITY", "info")
        self.progress: bool = True  # progress bars for large transfers
        self.track_run_inputs: bool = True
        # ask before slow or surprising operations (moving an artifact's bytes); off: the call is the confirmation
        self.prompts: bool = os.environ.get("LINEAGEDB_NO_PROMPTS", "").lower() not in ("1", "true", "yes")
        self._cache_dir: Path | None = None
        self.creation = CreationSettings()
        self._dev_dir: Path | None = None
        if os.environ.get("LINEAGEDB_DEV_DIR"):
            self.dev_dir = os.environ["LINEAGEDB_DEV_DIR"]

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") and not hasattr(type(self), name) and name not in self.__dict__ \
                and "creation" in self.__dict__:  # once __init__ has set every setting
            known = sorted({n for n in vars(type(self)) if isinstance(getattr(type(self), n), property)}
                           | {n for n in self.__dict__ if not n.startswith("_")})
            raise errors.InvalidArgument(
                f"ln.settings has no setting {name!r}, so setting it would change nothing; the settings are: "
                f"{', '.join(known)}"
            )
        super().__setattr__(name, value)

    @property
    def instance(self) -> Any:
        """The connected instance's settings (connecting if needed)."""
        return _instance.ensure_connected()

    @property
    def user(self) -> Any:
        _instance.ensure_connected()
        return _instance.current_user()

    @property
    def storage(self) -> Any:
        """The Storage record new artifacts are written to."""
        inst = _instance.ensure_connected()
        if self._storage is None or self._storage[0] is not inst:
            record = records().storage_at(inst.storage_root)
            if record is None:
                raise errors.InstanceError(
                    f"instance {inst.name!r} has no Storage record for its root {inst.storage_root} (it was deleted); "
                    "connect the instance again (ln.connect) to register its root"
                )
            self._storage = (inst, record)
        return self._storage[1]

    @storage.setter
    def storage(self, root: str | Any) -> None:
        inst = _instance.ensure_connected()
        if records().is_storage(root):
            record = root
        else:
            from .instance import _normalize_root, check_writable

            root = _normalize_root(str(root))
            record = records().storage_at(root)
            if record is None:
                check_writable(root)  # refuse before anything is registered
                record = records().register_root(root, inst.uid)
        check_managed_here(record, inst.uid)
        self._storage = (inst, record)

    @property
    def cache_dir(self) -> Path:
        """Local copies of cloud artifacts (``$LINEAGEDB_CACHE_DIR`` or ``<home>/cache``)."""
        if self._cache_dir is None:
            self._cache_dir = Path(os.environ.get("LINEAGEDB_CACHE_DIR") or home() / "cache")
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        return self._cache_dir

    @cache_dir.setter
    def cache_dir(self, path: str | Path) -> None:
        self._cache_dir = Path(path).expanduser().resolve()

    @property
    def dev_dir(self) -> Path | None:
        """Folder (e.g. a repository root) under which script/notebook keys are relative paths, not file names.

        >>> ln.settings.dev_dir = "~/code/my-repo"   # then ~/code/my-repo/qc/run.py is keyed 'qc/run.py'  # doctest: +SKIP
        """
        return self._dev_dir

    @dev_dir.setter
    def dev_dir(self, path: str | Path | None) -> None:
        self._dev_dir = None if path is None else Path(path).expanduser().resolve()

    def __repr__(self) -> str:
        inst = _instance.current()
        if inst is None:
            return "Settings(no instance connected)"
        storage = self._storage[1].root if self._storage is not None and self._storage[0] is inst else inst.storage_root
        lines = [
            "Settings",
            f"  instance: {inst.name}",
            f"  storage: {storage}",
            f"  db: {inst.db_display}",
            f"  verbosity: {self.verbosity}",
            f"  track_run_inputs: {self.track_run_inputs}",
            f"  cache_dir: {self._cache_dir or os.environ.get('LINEAGEDB_CACHE_DIR') or home() / 'cache'}",
        ]
        return "\n".join(lines)


def confirm(question: str, default: bool = True) -> bool:
    """Ask ``question`` followed by ``Continue? (y/n)`` and return whether the answer was yes.

    Nobody is asked when ``ln.settings.prompts`` is False (``LINEAGEDB_NO_PROMPTS=1``), outside the main
    thread (a server's request handlers) or when there is no one to answer (standard input closed or
    captured: scripts without a terminal, pipelines); then ``default`` is the answer: True for safe
    operations (a move), False for destructive ones (a deletion).

    >>> ln.settings.prompts = False   # scripts that move artifacts between storages unattended  # doctest: +SKIP
    """
    import threading

    if not settings.prompts or threading.current_thread() is not threading.main_thread():
        return default
    try:
        answer = input(f"{question} Continue? (y/n) ")
    except (EOFError, OSError):
        return default
    return answer.strip().lower() in ("y", "yes")


def check_managed_here(storage: Any, instance_uid: str) -> None:
    """Refuse to write new artifacts to a storage location this instance does not manage.

    >>> ln.settings.storage = "/data/other-instance"  # doctest: +SKIP
    InvalidArgument: Storage '/data/other-instance' exists in another instance (3kTc...), cannot write to it from here.
    """
    from ..errors import InvalidArgument

    if storage.instance_uid == instance_uid:
        return
    if storage.instance_uid is None:
        raise InvalidArgument(f"Storage '{storage.root}' is not managed by any instance, cannot write to it from here.")
    raise InvalidArgument(
        f"Storage '{storage.root}' exists in another instance ({storage.instance_uid}), cannot write to it from here."
    )


settings = Settings()
