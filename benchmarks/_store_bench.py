"""The training-store section of ``bench_loader.py``: lineagedb's training store against annbatch, same data, one run.

Both sides turn the same h5ad files into a preshuffled, chunked, compressed zarr v3 store and then deliver
shuffled batches of 256 cells as dense float32 + integer labels, with chunk 512 x preload 32 (annbatch's
defaults). Reported: write time, size on disk, samples/s (wall and per CPU-second of the process; zarrs
threads count as CPU), mixing (distinct source files and distinct 256-cell source blocks per batch), exact
random access, and a 2-process DDP epoch over our store (gloo, CPU).

annbatch runs in its own Python >= 3.12 venv (``benchmarks/.annbatch-venv``, made on first use with
``annbatch[zarrs,numba]``, the set-up annbatch recommends for local files; ``ANNBATCH_PYTHON`` picks another
interpreter). When no Python 3.12 is found or the install fails, the section says so and reports ours only.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ANNBATCH = "annbatch[zarrs,numba]==0.3.1"


def folder_bytes(path: str | Path) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


def annbatch_python() -> tuple[str | None, str]:
    """(python of a venv with annbatch, or None; what happened)."""
    python = os.environ.get("ANNBATCH_PYTHON")
    if python:
        return python, f"ANNBATCH_PYTHON={python}"
    venv = HERE / ".annbatch-venv"
    python = str(venv / "bin" / "python")
    if os.path.exists(python):
        check = subprocess.run([python, "-c", "import annbatch"], capture_output=True)
        if check.returncode == 0:
            return python, "benchmarks/.annbatch-venv"
    base = _python_312()
    if base is None:
        return None, "annbatch needs Python >= 3.12 and none was found (set ANNBATCH_PYTHON)"
    print(f"  making benchmarks/.annbatch-venv with {base} and pip install {ANNBATCH} (once) ...", flush=True)
    try:
        subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        subprocess.run([python, "-m", "pip", "install", "-q", ANNBATCH], check=True, capture_output=True, timeout=1800)
    except (OSError, subprocess.SubprocessError) as e:
        detail = (getattr(e, "stderr", b"") or b"").decode(errors="replace").strip().splitlines()
        return None, f"could not install annbatch: {detail[-1] if detail else e}"
    return python, "benchmarks/.annbatch-venv (new)"


def _python_312() -> str | None:
    """A Python >= 3.12 that runs (a pyenv shim on PATH may only print that no such version is selected)."""
    found = [shutil.which(f"python3.{minor}") for minor in (12, 13)]
    found += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python")))
    for python in filter(None, found):
        check = subprocess.run([python, "-c", "import sys; assert sys.version_info >= (3, 12)"], capture_output=True)
        if check.returncode == 0:
            return python
    return None


def drop_caches() -> None:
    """Empty the page cache (root only): the next reads come from disk."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as fh:
        fh.write("3\n")


def run_annbatch(paths: list[str], folder: Path, seconds: float, batch_size: int,
                 cold: bool = False) -> tuple[dict | None, str]:
    python, how = annbatch_python()
    if python is None:
        return None, how
    try:
        out = subprocess.run([python, str(HERE / "annbatch_side.py"), json.dumps(paths), str(folder), str(seconds),
                              str(batch_size), *(["cold"] if cold else [])], capture_output=True, text=True, timeout=3600, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1]), how
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as e:
        detail = (getattr(e, "stderr", "") or str(e)).strip().splitlines()
        return None, f"annbatch failed: {detail[-1] if detail else e}"


def _measure(loader, seconds: float, mixing: list | None = None, one_epoch: bool = False) -> tuple[float, float]:
    """(samples per wall second, per CPU second) over ``seconds``; ``one_epoch``: stop at the end of the first
    epoch too (a cold measurement must not go on into a second, warm pass)."""
    n, wall0, cpu0, epoch = 0, time.perf_counter(), time.process_time(), 0
    while time.perf_counter() - wall0 < seconds and not (one_epoch and epoch):
        loader.set_epoch(epoch)
        epoch += 1
        for batch in loader:
            if mixing is not None and len(mixing) < 200:
                mixing.append(np.asarray(batch["index"]))
            n += len(batch["index"])
            if time.perf_counter() - wall0 > seconds:
                break
    return n / (time.perf_counter() - wall0), n / max(time.process_time() - cpu0, 1e-9)


def run_ours(paths: list[str], folder: Path, seconds: float, batch_size: int, ddp: bool, cold: bool = False) -> dict:
    from lineagedb.loaders import write_training_store

    out = folder / "lineagedb_store.zarr"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    store = write_training_store(paths, out, obs_keys="cell_type")
    result: dict = {"write_s": time.perf_counter() - start, "bytes": folder_bytes(out)}

    def loader(**kw):
        return store.loader(batch_size=batch_size, preload_chunks=32, seed=0, obs_keys="cell_type", **kw)

    if cold:
        drop_caches()
    else:
        _measure(loader(), min(1.0, seconds))  # warm up
    mixing: list = []
    result["chunked"] = _measure(loader(), seconds, mixing, one_epoch=cold)
    result["chunked_numpy"] = _measure(loader(to_torch=False), seconds)
    result["chunked_sparse"] = _measure(loader(sparse=True), seconds)
    result["weighted"] = _measure(loader(weights="cell_type"), seconds)
    src, row = store.obs["_source"], store.obs["_source_row"]
    files = [len(np.unique(src[ids])) for ids in mixing]
    blocks = [len(np.unique(src[ids].astype(np.int64) * 1_000_000_000 + row[ids] // 256)) for ids in mixing]
    chunks = [len(np.unique(ids // store.chunk_size)) for ids in mixing]
    result["mixing"] = [float(np.mean(files)), float(np.mean(blocks)), float(np.mean(chunks))]
    if ddp:
        from _ddp_epoch import ddp_epoch

        result["ddp"] = ddp_epoch(str(out), world_size=2, batch_size=batch_size)
    store.close()
    shutil.rmtree(out, ignore_errors=True)
    return result


def section(paths: list[str], folder: Path, seconds: float, exact: tuple[float, float] | None,
            compare_annbatch: bool, ddp: bool, batch_size: int = 256, cold: bool = False) -> dict:
    """Run both sides and print the table; returns the numbers for ``--json``.

    ``cold``: the page cache is dropped after each side writes its store (root only), so the first
    measured row of each side starts from disk and stops at the end of its first epoch (a second pass would
    read what the first brought into the cache); the later rows are warm."""
    if cold and os.geteuid() != 0:
        print("  --cold needs root (to drop the page cache): measuring warm")
        cold = False
    ours = run_ours(paths, folder, seconds, batch_size, ddp, cold)
    theirs, how = run_annbatch(paths, folder, seconds, batch_size, cold) if compare_annbatch else (None, "not asked")
    source_bytes = sum(os.path.getsize(p) for p in paths)
    print(f"\n[training store vs annbatch] {len(paths)} h5ad files, batch {batch_size}, chunk 512 x preload 32,"
          f" dense float32 + labels, {'cold (page cache dropped; first row: at most one epoch)' if cold else 'warm'}")
    if theirs is None:
        print(f"  annbatch: {how}; ours only")
    else:
        print(f"  annbatch {theirs['version']} ({theirs.get('pipeline')} codec pipeline, {how})")
    head = f"  {'':<58} {'wall/s':>10} {'per CPU-s':>10}"
    print(head + ("  x annbatch (CPU)" if theirs else ""))

    def row(name: str, value: tuple[float, float] | None, base: tuple[float, float] | None = None) -> None:
        if value is None:
            return
        ratio = f" {value[1] / base[1]:>12.2f}x" if base else ""
        print(f"  {name:<58} {value[0]:>10,.0f} {value[1]:>10,.0f}{ratio}")

    ab = theirs["chunked"] if theirs else None
    row("lineagedb store.loader(), torch tensors", ours["chunked"], ab)
    row("lineagedb store.loader(to_torch=False), numpy", ours["chunked_numpy"], ab)
    row("lineagedb store.loader(sparse=True), torch sparse CSR", ours["chunked_sparse"], ab)
    row("lineagedb store.loader(weights='cell_type') (class-balanced)", ours["weighted"], ab)
    row("annbatch Loader(chunk_size=512, preload_nchunks=32)", ab)
    if exact:
        row("lineagedb exact random: collection.mapped() + DataLoader", exact, theirs["exact"] if theirs else None)
    if theirs:
        row("annbatch exact random: Loader(chunk_size=1)", theirs["exact"])
    m = ours["mixing"]
    print(f"  mixing per batch: lineagedb {m[0]:.1f} files / {m[1]:.1f} source blocks of 256 / {m[2]:.1f} store chunks"
          + (f"; annbatch {theirs['mixing'][0]:.1f} files / {theirs['mixing'][1]:.1f} source blocks" if theirs else ""))
    mb = 1 << 20
    print(f"  size on disk: h5ad sources {source_bytes / mb:,.0f} MB; lineagedb store {ours['bytes'] / mb:,.0f} MB"
          + (f"; annbatch {theirs['bytes'] / mb:,.0f} MB" if theirs else ""))
    print(f"  write time: lineagedb {ours['write_s']:.1f} s" + (f"; annbatch {theirs['write_s']:.1f} s" if theirs else ""))
    if "ddp" in ours:
        d = ours["ddp"]
        print(f"  DDP epoch, {d['world_size']} processes (gloo, CPU): {d['seen']:,} cells seen, {d['distinct']:,} distinct of"
              f" {d['n_cells']:,} -> every cell once: {d['every_cell_once']}; batches per rank {d['batches_per_rank']};"
              f" {d['seconds']:.1f} s")
    return {"lineagedb": ours, "annbatch": theirs, "annbatch_note": how, "source_bytes": source_bytes}
