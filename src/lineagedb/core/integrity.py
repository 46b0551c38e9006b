"""Integrity checks: do the database rows and the managed files still agree?

:func:`check` compares every artifact row with the bytes it points to and every entry of each managed
``<root>/.lineagedb/`` folder with the rows. It reports

``missing``
    a row whose stored file (or folder) is gone;
``pending``
    a row committed by a save that died before renaming its bytes into place (``fix`` finishes the rename);
``orphan``
    an entry under a final name (``<uid><suffix>``) that no row points to;
``temp``
    a leftover staging/temporary entry (``.tmp-*``) older than ``grace_s`` (younger ones may belong to a
    save in progress and are left alone);
``moved``
    a row whose bytes are not where its storage record points but were found in another storage
    location of this instance (never delete such a row: reconnect with ``lineagedb connect NEW_FOLDER``);
``hash_mismatch``
    content that no longer matches the hash in its row. Without ``hashes=True`` only files whose size
    differs from the row's or that were modified after the row was saved are re-hashed (as DVC does);
``database``
    the database's own integrity check (SQLite ``PRAGMA integrity_check``) found damage.

``fix=True`` never deletes: orphans and leftover temp entries are moved to
``<root>/.lineagedb/quarantine/<UTC timestamp>/``; pending saves are rolled forward. Missing files and
hash mismatches cannot be repaired automatically and stay in the report.

>>> import lineagedb as ln
>>> report = ln.setup.check(hashes=True)   # doctest: +SKIP
>>> report.ok, report.problems             # doctest: +SKIP
(True, [])
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import hashing
from . import storage as st
from .records import records

TEMP_GRACE_S = 3600.0  # temp entries younger than this may belong to a running save: never touched
QUARANTINE = "quarantine"
_OWN_FILES = ("lineagedb.sqlite3", "instance.json", ".instance.json.", ".write-probe-")  # the instance's own files, not artifacts
_SWEPT: set[str] = set()


@dataclass
class Problem:
    """One disagreement between the database and storage."""

    kind: str  # missing | pending | orphan | temp | hash_mismatch
    path: str
    uid: str | None = None
    key: str | None = None
    detail: str = ""
    action: str = ""  # what fix=True did ("" if nothing)

    def __str__(self) -> str:
        who = f" artifact {self.uid}" + (f" (key {self.key!r})" if self.key else "") if self.uid else ""
        extra = f": {self.detail}" if self.detail else ""
        done = f" -> {self.action}" if self.action else ""
        return f"{self.kind}{who} {self.path}{extra}{done}"


@dataclass
class CheckReport:
    """What :func:`check` found (and, with ``fix=True``, did)."""

    problems: list[Problem] = field(default_factory=list)
    n_artifacts: int = 0
    n_hashed: int = 0
    roots: list[str] = field(default_factory=list)
    quarantine: list[str] = field(default_factory=list)

    @property
    def unresolved(self) -> list[Problem]:
        """Problems that are still there (``fix`` acted on the others)."""
        return [p for p in self.problems if not p.action]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong any more."""
        return not self.unresolved

    def of_kind(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]

    def __str__(self) -> str:
        hashed = f", {self.n_hashed} hashes verified" if self.n_hashed else ""
        head = f"checked {self.n_artifacts} artifacts in {len(self.roots)} managed storage location(s){hashed}"
        if not self.problems:
            return head + ": no problems"
        lines = [head + f": {len(self.problems)} problem(s), {len(self.unresolved)} unresolved"]
        lines += [f"  {p}" for p in self.problems]
        if any(p.kind == "database" for p in self.unresolved):
            lines.append("the database itself is damaged: restore it from a backup before anything else")
        if any(p.kind == "moved" for p in self.unresolved):
            lines.append("moved bytes are intact: do not delete these rows; connect to the folder that holds them "
                         "(lineagedb connect NEW_FOLDER) to point the storage record there")
        if any(p.kind == "missing" for p in self.unresolved):
            lines.append("missing files cannot be recreated: restore them from a backup or delete the rows "
                         "(artifact.delete(permanent=True))")
        if any(p.kind in {"orphan", "temp", "pending"} for p in self.unresolved):
            lines.append("run with fix=True (lineagedb check --fix) to quarantine orphans and finish interrupted saves")
        return "\n".join(lines)


@dataclass
class _Entry:
    name: str
    path: Any  # Path or UPath
    mtime: float


def _entries(folder: Any) -> Iterator[_Entry]:
    """The direct entries of a managed folder (local: one scandir; remote: one listing)."""
    if st.is_local(folder):
        import os

        local = st.local_path(folder)
        if not local.is_dir():
            return
        with os.scandir(local) as it:
            for e in it:
                yield _Entry(e.name, local / e.name, e.stat(follow_symlinks=False).st_mtime)
        return
    fs = folder.fs
    try:
        listing = fs.ls(folder.path, detail=True, refresh=True)
    except FileNotFoundError:
        return
    for info in listing:
        name = info["name"].rstrip("/").rsplit("/", 1)[-1]
        modified = info.get("LastModified") or info.get("mtime") or info.get("updated")
        mtime = modified.timestamp() if hasattr(modified, "timestamp") else float(modified or 0) or time.time()
        yield _Entry(name, folder / name, mtime)


def _exists(path: Any) -> bool:
    return st.local_path(path).exists() if st.is_local(path) else path.exists()


def _verify_hash(path: Any, hash_: str | None, hash_type: str | None) -> tuple[bool | None, str]:
    """(matches, detail): None when the stored hash type cannot be recomputed here."""
    if not hash_:
        return None, ""
    got = _recompute(path, hash_type)
    if got.hash_type != hash_type:
        return None, ""
    return got.hash == hash_, f"stored {hash_type} {hash_}, content now {got.hash}"


def _recompute(path: Any, hash_type: str | None) -> hashing.Hashed:
    """The content hash of the kind stored in the row (remote BLAKE3 content is streamed, not trusted to ETags)."""
    if st.is_local(path) or hash_type not in {hashing.HASH_TYPE, hashing.FOLDER_HASH_TYPE}:
        return st.hash_any(path)
    fs = path.fs
    fs.invalidate_cache(path.path)
    if hash_type == hashing.HASH_TYPE:
        with fs.open(path.path, "rb") as handle:
            return hashing.hash_stream(handle, fs.size(path.path))
    base = path.path.rstrip("/")
    pairs = []
    for f in sorted(fs.find(base)):
        with fs.open(f, "rb") as handle:
            pairs.append((f[len(base) + 1:], hashing.hash_stream(handle).hash))
    return hashing.Hashed(hashing.folder_hash(pairs), hashing.FOLDER_HASH_TYPE, 0, len(pairs))


def check(fix: bool = False, hashes: bool = False, grace_s: float = TEMP_GRACE_S) -> CheckReport:
    """Compare artifact rows with the files of every storage location this instance manages.

    ``hashes=True`` re-reads every stored artifact and compares its hash (slow for large data).
    ``fix=True`` moves orphans and stale temp entries to ``.lineagedb/quarantine/<timestamp>/``
    and finishes interrupted saves; it never deletes anything.

    >>> report = ln.setup.check()          # doctest: +SKIP
    >>> print(report)                      # doctest: +SKIP
    checked 12 artifacts in 1 managed storage location(s): no problems
    """
    from ._dbcheck import database_problems
    from .instance import current_settings, ensure_connected

    report = CheckReport()
    inst = current_settings()
    if inst.db:
        inst = ensure_connected()  # before importing the models: it configures Django
    if not inst.db:  # SQLite is checked on its own connection first: a damaged file may not open at all
        report.problems += [Problem("database", str(inst.sqlite_path), detail=d) for d in database_problems(inst)]
        if report.problems:
            return report
        inst = ensure_connected()
    else:
        report.problems += [Problem("database", inst.db_display, detail=d) for d in database_problems(inst)]
    from django.db import DatabaseError

    try:
        return _check_rows(report, inst, fix, hashes, grace_s)
    except DatabaseError as e:
        report.problems.append(Problem("database", inst.db_display, detail=f"reading the rows failed: {e}"))
        return report


def _check_rows(report: CheckReport, inst: Any, fix: bool, hashes: bool, grace_s: float) -> CheckReport:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    storages, managed = records().storage_roots(inst.uid)
    report.roots = sorted(managed.values())
    # List the folders before reading the rows: a final name only appears after its row committed, so
    # every final entry listed here has its row in the query below (no false orphans during saves).
    listed = {sid: list(_entries(st.managed_dir(root))) for sid, root in managed.items()}
    fields = ("uid", "key", "storage_id", "suffix", "hash", "hash_type", "_real_key", "size", "created_at")
    rows = records().artifact_rows(fields)
    report.n_artifacts = len(rows)
    now = time.time()

    def quarantine(root: str, entry: _Entry) -> str:
        target = st.managed_dir(root) / QUARANTINE / stamp / entry.name
        if st.is_local(target):
            st.local_path(target).parent.mkdir(parents=True, exist_ok=True)
        st.move_entry(entry.path, target)
        if str(target.parent) not in report.quarantine:
            report.quarantine.append(str(target.parent))
        return f"quarantined to {target}"

    expected: dict[int, set[str]] = {sid: set() for sid in managed}
    pending_names: set[str] = set()  # pending entries reported with their rows
    for uid, key, sid, suffix, hash_, hash_type, real_key, size, created_at in rows:
        root = storages.get(sid)
        if root is None:
            continue
        if real_key is None:
            expected.setdefault(sid, set()).add(f"{uid}{suffix}")
            path = st.managed_path(root, uid, suffix)
        else:
            path = st.upath(root) / real_key
        if not _exists(path):
            pending = st.managed_dir(root) / f"{st.TEMP_PREFIX}{uid}{suffix}" if real_key is None and sid in managed else None
            if pending is not None and _exists(pending):
                pending_names.add(str(pending))
                problem = Problem("pending", str(pending), uid, key, "saved row whose bytes were not yet moved into place")
                if fix and now - _mtime(pending) >= grace_s:
                    st.roll_forward(root, uid, suffix)
                    problem.action = f"moved into place at {path}"
                report.problems.append(problem)
            else:
                found = _find_elsewhere(real_key, uid, suffix, root, [*managed.values(), inst.storage_root])
                if found is not None:
                    report.problems.append(Problem("moved", str(path), uid, key, f"the bytes are intact at {found}"))
                else:
                    report.problems.append(Problem("missing", str(path), uid, key, "the row's stored bytes are gone"))
            continue
        changed = _stat_changed(path, size, created_at)
        if hashes or changed:
            matches, detail = _verify_hash(path, hash_, hash_type)
            if matches is not None:
                report.n_hashed += 1
            if matches is False or (matches is None and changed == "size"):
                report.problems.append(Problem("hash_mismatch", str(path), uid, key, detail or "its size changed"))
    for sid, entries in listed.items():
        root = managed[sid]
        for entry in entries:
            name = entry.name
            if name == QUARANTINE or name.startswith(_OWN_FILES) or name in expected.get(sid, ()):
                continue
            if name.startswith(st.TEMP_PREFIX):
                if str(entry.path) in pending_names:
                    continue  # a pending save reported above
                if now - entry.mtime < grace_s and st.stage_owner_alive(name) is not False:
                    continue  # may belong to a save in progress
                problem = Problem("temp", str(entry.path), detail="leftover of an interrupted save or upload")
            else:
                problem = Problem("orphan", str(entry.path), detail="no artifact row points to it")
            if fix:
                problem.action = quarantine(root, entry)
            report.problems.append(problem)
    return report


def _find_elsewhere(real_key: str | None, uid: str, suffix: str, root: str, roots: list[str]) -> str | None:
    """Where a missing managed artifact's bytes sit in another local storage location of this instance, if anywhere."""
    if real_key is not None:
        return None
    for other in dict.fromkeys(roots):
        if other != root and st.is_local(other):
            candidate = st.local_path(st.managed_path(other, uid, suffix))
            if candidate.exists():
                return str(candidate)
    return None


def _stat_changed(path: Any, size: int | None, created_at: Any) -> str | None:
    """"size" or "mtime" when a local file (or a file in a folder) differs from what its row recorded."""
    if not st.is_local(path):
        return None
    import os

    local = st.local_path(path)
    saved = created_at.timestamp() if created_at is not None else None
    if local.is_dir():
        total, newest = 0, 0.0
        for folder, _dirs, files in os.walk(local):
            for f in files:
                info = os.lstat(os.path.join(folder, f))
                total, newest = total + info.st_size, max(newest, info.st_mtime)
    else:
        info = local.stat()
        total, newest = info.st_size, info.st_mtime
    if size is not None and total != size:
        return "size"
    if saved is not None and newest > saved:
        return "mtime"
    return None


def _mtime(path: Any) -> float:
    if st.is_local(path):
        return st.local_path(path).lstat().st_mtime
    modified = path.fs.info(path.path).get("LastModified")
    return modified.timestamp() if hasattr(modified, "timestamp") else 0.0


def sweep_once(root: Any, grace_s: float = TEMP_GRACE_S) -> list[str]:
    """Tidy leftovers of crashed saves in a local managed folder, once per process and root.

    Called after a successful save: ``.tmp-<uid>*`` entries of committed rows are moved into place,
    other temp entries older than ``grace_s`` are removed (see :func:`storage.clean_temp`).
    """
    key = str(root)
    if key in _SWEPT or not st.is_local(root):
        return []
    _SWEPT.add(key)
    return st.clean_temp(root, records().artifact_exists, min_age_s=grace_s)
