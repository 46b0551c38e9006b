"""A separate OS process that writes into an instance (concurrency and crash tests).

    python rel_worker.py INSTANCE artifacts PREFIX N      # N artifacts from small files, keys PREFIX/i.txt,
                                                          # and a Record named PREFIX-i after every other one
    python rel_worker.py INSTANCE versions KEY N          # N new versions of one key
    python rel_worker.py INSTANCE records PREFIX N        # N Records, one save each
    python rel_worker.py INSTANCE crash-save PATH KEY     # prints "ready", waits for a line, saves PATH
    python rel_worker.py INSTANCE kill-at POINT PATH KEY  # saves PATH and SIGKILLs itself at POINT:
                                                          # "staged" (bytes copied, no transaction yet) or
                                                          # "committed" (row committed, bytes not renamed)
    python rel_worker.py INSTANCE pause-at-commit PATH KEY  # saves PATH; between commit and rename it
                                                          # prints "committed" and waits for a line

    python rel_worker.py INSTANCE migrate FOLDER          # connect as a newer release whose lineagedb
                                                          # migrations are those in FOLDER (a package)

Prints "done" at the end; everything else goes to stderr.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main() -> None:
    name, mode, arg, rest = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    import lineagedb as ln

    if mode == "migrate":
        _as_newer_release(arg)
    ln.connect(name)
    ln.settings.verbosity = "warning"
    if mode == "artifacts":
        folder = Path(tempfile.mkdtemp())
        for i in range(int(rest[0])):
            path = folder / f"{i}.txt"
            path.write_bytes(f"{arg}/{i}\n".encode() + os.urandom(64))
            ln.Artifact(path, key=f"{arg}/{i}.txt").save()
            if i % 2:
                ln.Record(name=f"{arg}-{i}").save()
    elif mode == "versions":
        folder = Path(tempfile.mkdtemp())
        for i in range(int(rest[0])):
            path = folder / f"v{i}.txt"
            path.write_bytes(os.urandom(64))
            ln.Artifact(path, key=arg).save()
    elif mode == "records":
        for i in range(int(rest[0])):
            ln.Record(name=f"{arg}-{i}").save()
    elif mode == "crash-save":
        print("ready", flush=True)
        sys.stdin.readline()
        ln.Artifact(Path(arg), key=rest[0]).save()
    elif mode == "migrate":
        pass
    elif mode == "pause-at-commit":
        _pause_before_rename()
        ln.Artifact(Path(arg), key=rest[0]).save()
    elif mode == "kill-at":
        _kill_at(arg)
        ln.Artifact(Path(rest[0]), key=rest[1]).save()
    else:
        raise SystemExit(f"unknown mode {mode}")
    print("done", flush=True)


def _as_newer_release(folder: str) -> None:
    """Ship the migrations in ``folder`` instead of the installed ones (as a newer release would)."""
    from django.conf import settings

    from lineagedb.core import instance

    sys.path.insert(0, str(Path(folder).parent))
    names = sorted(p.stem for p in Path(folder).glob("[0-9][0-9][0-9][0-9]_*.py"))
    shipped, configure = instance.shipped_migrations, instance.configure

    def configure_newer(inst, **kwargs):  # noqa: ANN001, ANN003, ANN202
        configure(inst, **kwargs)
        settings.MIGRATION_MODULES = {"lineagedb": Path(folder).name}

    instance.shipped_migrations = lambda app: names if app == "lineagedb" else shipped(app)
    instance.configure = configure_newer


def _pause_before_rename() -> None:
    from lineagedb.core.store import LocalPlacement

    commit = LocalPlacement.commit

    def paused(self):  # noqa: ANN001, ANN202
        print("committed", flush=True)
        sys.stdin.readline()
        return commit(self)

    LocalPlacement.commit = paused


def _kill_at(point: str) -> None:
    """Die by SIGKILL at an exact moment of the next save (the moments a timed kill rarely hits)."""
    import signal

    from lineagedb.core.store import LocalPlacement

    method = {"staged": "assign", "committed": "commit"}[point]

    def die(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        os.kill(os.getpid(), signal.SIGKILL)

    setattr(LocalPlacement, method, die)


if __name__ == "__main__":
    main()
