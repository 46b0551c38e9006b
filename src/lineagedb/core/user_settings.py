"""``ln.settings``: the connected instance, its default storage, the user and the cache folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import instance as _instance
from .settings import home


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
        self._cache_dir: Path | None = None
        self._dev_dir: Path | None = None
        if os.environ.get("LINEAGEDB_DEV_DIR"):
            self.dev_dir = os.environ["LINEAGEDB_DEV_DIR"]

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
        from ..models import Storage

        if self._storage is None or self._storage[0] is not inst:
            self._storage = (inst, Storage.objects.get(root=inst.storage_root))
        return self._storage[1]

    @storage.setter
    def storage(self, root: str | Any) -> None:
        inst = _instance.ensure_connected()
        from ..models import Storage

        if isinstance(root, Storage):
            record = root
        else:
            from .instance import _normalize_root, check_writable

            root = _normalize_root(str(root))
            if not Storage.objects.filter(root=root).exists():
                check_writable(root)  # refuse before anything is registered
            record = Storage.register_root(root, instance_uid=inst.uid)
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
        return f"Settings(instance={inst.name!r}, storage={inst.storage_root!r}, db={inst.db_display!r})"


settings = Settings()
