"""``UPath.view_tree()``: print a bounded tree of a local or cloud folder, with counts.

>>> import lineagedb as ln
>>> ln.UPath("s3://lamindata/iris_studies", anon=True).view_tree(level=2, limit=8)  # doctest: +SKIP
s3://lamindata/iris_studies: 3 sub-directories & 15 files with suffixes '.csv', '.jpg'
├── study0_raw_images/
│   ├── iris0000000.jpg
...
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

_BRANCH, _LAST, _PIPE, _SPACE = "├── ", "└── ", "│   ", "    "


def _listing(fs: Any, root: str, level: int) -> dict[str, tuple[list[str], list[str]]]:
    """``{directory: (sub-directory names, file names)}`` down to ``level`` below ``root``."""
    tree: dict[str, tuple[list[str], list[str]]] = {}
    for dirpath, dirs, files in fs.walk(root, maxdepth=level if level > 0 else None):
        tree[dirpath.rstrip("/")] = (sorted(dirs), sorted(f for f in files if f))
    return tree


def tree_lines(path: Any, level: int = 2, limit: int = 20) -> list[str]:
    """The lines :func:`view_tree` prints (header first)."""
    from ._cloud import translated

    if level < 1:
        raise ValueError(f"level must be at least 1, got {level}")
    fs = path.fs
    root = fs._strip_protocol(str(path)).rstrip("/") or "/"
    with translated(str(path), "list"):
        if not fs.isdir(root):
            raise NotADirectoryError(f"{path} is not a folder; view_tree() shows folders")
        tree = _listing(fs, root, level)
    n_dirs = sum(len(d) for d, _ in tree.values())
    n_files = sum(len(f) for _, f in tree.values())
    suffixes = sorted({PurePosixPath(f).suffix for _, fs_ in tree.values() for f in fs_ if PurePosixPath(f).suffix})
    head = f"{path}: {n_dirs} sub-director{'y' if n_dirs == 1 else 'ies'} & {n_files} file{'' if n_files == 1 else 's'}"
    if suffixes:
        head += " with suffixes " + ", ".join(repr(s) for s in suffixes)
    lines = [head]
    shown = 0

    def walk(folder: str, prefix: str, depth: int) -> bool:
        nonlocal shown
        dirs, files = tree.get(folder, ([], []))
        entries = [(d, True) for d in dirs] + [(f, False) for f in files]
        for i, (name, is_dir) in enumerate(entries):
            if shown >= limit:  # what is left in the whole listing, not only in this folder
                rest = n_dirs + n_files - shown
                lines.append(f"{prefix}... {rest} more entr{'y' if rest == 1 else 'ies'} (raise limit= to see more)")
                return False
            last = i == len(entries) - 1
            lines.append(prefix + (_LAST if last else _BRANCH) + name + ("/" if is_dir else ""))
            shown += 1
            if is_dir and depth < level:
                if not walk(f"{folder}/{name}" if folder != "/" else f"/{name}", prefix + (_SPACE if last else _PIPE), depth + 1):
                    return False
        return True

    walk(root, "", 1)
    return lines


def _proxy_class() -> type:
    """``ln.UPath``: universal-pathlib's path with lineagedb's helpers, built on first use (fsspec is slow to import).

    universal-pathlib asks extensions to wrap its paths (``upath.extensions.ProxyUPath``) rather than to subclass
    its implementations or add methods to them; so ``ln.UPath(url)`` wraps ``upath.UPath(url)`` and every
    path it derives (``/``, ``.parent``) keeps the helpers. Local ones are ``os.PathLike``, so pandas, h5py and
    ``open`` take them as they are.
    """
    import os

    from upath.extensions import ProxyUPath

    class UPath(ProxyUPath):
        """A local or cloud path (any fsspec URL) with :meth:`view_tree`.

        >>> import lineagedb as ln
        >>> ln.UPath("s3://lamindata/iris_studies", anon=True).view_tree(level=1)  # doctest: +SKIP
        """

        __slots__ = ()

        def __fspath__(self) -> str:
            return os.fspath(self.__wrapped__)  # type: ignore[call-overload]  # TypeError for a cloud path, as its own

        def view_tree(self, level: int = 2, limit: int = 20) -> None:
            """Print the folder as a tree, ``level`` folders deep and at most ``limit`` entries, with counts."""
            print("\n".join(tree_lines(self.__wrapped__, level=level, limit=limit)))

    UPath.__module__, UPath.__qualname__ = "lineagedb", "UPath"
    return UPath


_PROXY: list[type] = []


def proxy_class() -> type:
    """The ``ln.UPath`` class (made once)."""
    if not _PROXY:
        _PROXY.append(_proxy_class())
    return _PROXY[0]
