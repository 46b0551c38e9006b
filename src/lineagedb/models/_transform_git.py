"""``Transform.from_git``: a transform that points at one file of a git repository at one commit (or branch).

Works with any URL or path ``git clone`` accepts, local repositories included.

>>> t = ln.Transform.from_git(url="/srv/git/pipelines", path="main.nf", version="v1.0")  # doctest: +SKIP
>>> t.reference  # doctest: +SKIP
'/srv/git/pipelines/blob/3f2c…/main.nf'
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from .. import errors


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def default_key(url: str, path: str) -> str:
    """``owner/repo/path`` from the last two parts of the URL (``.git`` dropped).

    >>> default_key("https://github.com/openproblems-bio/task_batch_integration", "main.nf")
    'openproblems-bio/task_batch_integration/main.nf'
    """
    parts = [p for p in url.rstrip("/").removesuffix(".git").replace(":", "/").split("/") if p]
    return "/".join([*parts[-2:], path])


def git_source(url: str, path: str, version: str | None = None, branch: str | None = None,
               entrypoint: str | None = None) -> tuple[str, str]:
    """``(source_code, reference)`` describing ``path`` in ``url`` at tag/commit ``version`` or on ``branch``.

    The source code names the repository, path, entrypoint and the commit (or branch), so its hash identifies
    exactly that version of the pipeline.
    """
    with tempfile.TemporaryDirectory() as tmp:
        clone = _git("clone", "--quiet", "--no-checkout", url, tmp)
        if clone.returncode != 0:
            raise errors.InvalidArgument(f"Failed to clone {url}: {clone.stderr.strip()}; pass a URL or path git can clone")
        repo = Path(tmp)
        if branch is not None:
            found = _git("rev-parse", "--verify", "--quiet", f"origin/{branch}^{{commit}}", cwd=repo)
            if found.returncode != 0:
                raise errors.InvalidArgument(f"Failed to checkout branch {branch}: no such branch in {url}")
        revision = version if version is not None and branch is None else (f"origin/{branch}" if branch else "HEAD")
        found = _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", cwd=repo)
        if found.returncode != 0:
            raise errors.InvalidArgument(f"Failed to checkout version {version}: no such tag or commit in {url}")
        commit = found.stdout.strip()
        if _git("cat-file", "-e", f"{commit}:{path}", cwd=repo).returncode != 0:
            raise errors.InvalidArgument(f"{path!r} does not exist in {url} at {revision}; pass a path inside the repository")
    lines = [f"repo: {url}", f"path: {path}"]
    if entrypoint is not None:
        lines.append(f"entrypoint: {entrypoint}")
    if branch is not None:
        lines.append(f"branch: {branch}")
        reference = f"{url.rstrip('/')}/tree/{branch}/{path}"
    else:
        lines.append(f"commit: {commit}")
        reference = f"{url.rstrip('/')}/blob/{commit}/{path}"
    return "\n".join(lines) + "\n", reference
