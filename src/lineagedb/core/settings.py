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
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import InstanceError, InstanceNotSetup

MARKER_DIR = ".lineagedb"  # managed folder inside every storage root this instance owns
MARKER_FILE = "instance.json"  # no credentials ever go in here


def home() -> Path:
    """The settings folder, created with owner-only permissions."""
    path = Path(os.environ.get("LINEAGEDB_HOME") or Path.home() / ".lineagedb").expanduser().resolve()
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
    return path


_URL_PASSWORD = re.compile(r"(\b[A-Za-z][\w+.-]*://[^/\s:@]*):([^/\s]*)@")
_KEY_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&#']+)", re.IGNORECASE)


def mask_password(text: str) -> str:
    """Mask every password in a DSN or in a text holding DSNs: URL userinfo, ``?password=``, ``password=...``.

    >>> mask_password("postgresql://u:secret@h/db?sslmode=require&password=other")
    'postgresql://u:***@h/db?sslmode=require&password=***'
    >>> mask_password("host=h password='a b' dbname=d")
    'host=h password=*** dbname=d'
    """
    text = _URL_PASSWORD.sub(r"\1:***@", str(text))
    return _KEY_PASSWORD.sub(r"\1***", text)


mask_secrets = mask_password  # the same masking, for error messages and logs


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (0600), atomically (readers never see half a file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_json(path: Path, what: str) -> dict:
    """A settings-type JSON file as a dict; a damaged one raises InstanceError naming it."""
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InstanceError(f"{what} {path} is damaged ({e}); restore it from a backup or remove it") from None
    except OSError as e:
        raise InstanceError(f"cannot read {what} {path}: {e.strerror}") from None
    if not isinstance(data, dict):
        raise InstanceError(f"{what} {path} is damaged (not a JSON object); restore it from a backup or remove it")
    return data


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
        write_private(folder / f"{self.name}.json", json.dumps(asdict(self), indent=2))

    def __repr__(self) -> str:
        db = mask_password(self.db) if self.db else None
        return (f"InstanceSettings(name={self.name!r}, uid={self.uid!r}, storage_root={self.storage_root!r}, "
                f"db={db!r}, modules={self.modules!r})")

    def marker(self) -> dict:
        """The credential-free description written into a local storage root."""
        return {"name": self.name, "uid": self.uid, "db": mask_password(self.db) if self.db else None,
                "modules": self.modules, "root": self.storage_root}

    @classmethod
    def load(cls, name: str) -> InstanceSettings:
        path = home() / "instances" / f"{name}.json"
        if not path.exists():
            known = sorted(p.stem for p in (home() / "instances").glob("*.json")) if (home() / "instances").exists() else []
            raise InstanceNotSetup(
                f"no instance named {name!r} in {home()}; known instances: {known or 'none'}. "
                "Create one with `lineagedb init --storage DIR`."
            )
        data = read_json(path, "the instance settings file")
        try:
            inst = cls(**data)
        except TypeError:
            raise InstanceError(
                f"the instance settings file {path} is damaged (fields {sorted(data)}); restore it from a backup "
                f"or run `lineagedb connect STORAGE_FOLDER` to write it again"
            ) from None
        if not isinstance(inst.modules, list) or not all(isinstance(m, str) for m in inst.modules):
            raise InstanceError(f"the instance settings file {path} is damaged (modules {inst.modules!r})")
        return inst


def known_instances() -> list[str]:
    folder = home() / "instances"
    return sorted(p.stem for p in folder.glob("*.json")) if folder.exists() else []


def current_instance_name() -> str | None:
    path = home() / "current.json"
    if not path.exists():
        return None
    name = read_json(path, "the current-instance file").get("instance")
    return name if isinstance(name, str) else None


def set_current_instance(name: str | None) -> None:
    path = home() / "current.json"
    if name is None:
        path.unlink(missing_ok=True)
    else:
        write_private(path, json.dumps({"instance": name}))


def forget_instance(name: str) -> None:
    (home() / "instances" / f"{name}.json").unlink(missing_ok=True)
    if current_instance_name() == name:
        set_current_instance(None)
