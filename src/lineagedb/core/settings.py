"""Where lineagedb keeps its settings, and what an instance's settings say.

Settings live in ``$LINEAGEDB_HOME`` (default ``~/.lineagedb``)::

    current.json               {"instance": "<name>"}
    instances/<name>.json      one InstanceSettings per known instance (0600)
    instances/<name>/          per-instance local files (SQLite of a cloud-rooted instance)
    cache/                     local copies of cloud artifacts

>>> from lineagedb.core.settings import home
>>> home().name in {".lineagedb"} or True
True
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..errors import InstanceNotSetup

MARKER_DIR = ".lineagedb"  # managed folder inside every storage root this instance owns
MARKER_FILE = "instance.json"  # no credentials ever go in here


def home() -> Path:
    """The settings folder, created with owner-only permissions."""
    path = Path(os.environ.get("LINEAGEDB_HOME") or Path.home() / ".lineagedb").expanduser().resolve()
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
    return path


def mask_password(url: str) -> str:
    """``postgresql://u:secret@h/db`` -> ``postgresql://u:***@h/db``; other strings unchanged."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def is_cloud(root: str) -> bool:
    """Whether a storage root is a remote (fsspec protocol) location."""
    return "://" in root and not root.startswith("file://")


@dataclass
class InstanceSettings:
    """What is needed to connect to an instance."""

    name: str
    uid: str
    storage_root: str
    db: str | None = None  # a PostgreSQL URL, or None for the embedded SQLite file
    modules: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return "postgresql" if self.db else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file: inside a local storage root, next to the settings for a cloud one."""
        if is_cloud(self.storage_root):
            return home() / "instances" / self.name / "lineagedb.sqlite3"
        return Path(self.storage_root) / MARKER_DIR / "lineagedb.sqlite3"

    @property
    def db_display(self) -> str:
        """The database location with any password masked."""
        return mask_password(self.db) if self.db else str(self.sqlite_path)

    def save(self) -> None:
        folder = home() / "instances"
        folder.mkdir(exist_ok=True, mode=0o700)
        path = folder / f"{self.name}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(asdict(self), f, indent=2)
        os.chmod(path, 0o600)

    def marker(self) -> dict:
        """The credential-free description written into a local storage root."""
        return {"name": self.name, "uid": self.uid, "db": mask_password(self.db) if self.db else None,
                "modules": self.modules}

    @classmethod
    def load(cls, name: str) -> InstanceSettings:
        path = home() / "instances" / f"{name}.json"
        if not path.exists():
            known = sorted(p.stem for p in (home() / "instances").glob("*.json")) if (home() / "instances").exists() else []
            raise InstanceNotSetup(
                f"no instance named {name!r} in {home()}; known instances: {known or 'none'}. "
                "Create one with `lineagedb init --storage DIR`."
            )
        return cls(**json.loads(path.read_text()))


def known_instances() -> list[str]:
    folder = home() / "instances"
    return sorted(p.stem for p in folder.glob("*.json")) if folder.exists() else []


def current_instance_name() -> str | None:
    path = home() / "current.json"
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("instance")


def set_current_instance(name: str | None) -> None:
    path = home() / "current.json"
    if name is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(json.dumps({"instance": name}))


def forget_instance(name: str) -> None:
    (home() / "instances" / f"{name}.json").unlink(missing_ok=True)
    if current_instance_name() == name:
        set_current_instance(None)
