"""Throughput of the mapped collection loader (``collection.mapped``) on a generated h5ad collection.

Full size (the issue's set-up): 20 files x 10,000 cells x 2,000 genes, float32, once as sparse CSR at
10% density and once dense; files are read once before timing so that they sit in the page cache.

    .venv/bin/python benchmarks/bench_loader.py --quick          # small, a few seconds
    .venv/bin/python benchmarks/bench_loader.py                  # full size (about 3.5 GB on disk)
    .venv/bin/python benchmarks/bench_loader.py --workers 2      # also time 2 DataLoader workers
    .venv/bin/python benchmarks/bench_loader.py --compare-lamindb  # LaminDB's loader, if installed
    .venv/bin/python benchmarks/bench_loader.py --only store --kinds sparse --compare-annbatch
                                                                 # training store vs annbatch (+ DDP epoch)

Prints samples/s for: exact random access through ``DataLoader(shuffle=True)``, single-item indexing,
block mode (``dataset.block_sampler``), plain h5py single-row reads and anndata backed-mode row reads,
with ratios against anndata backed mode and against the reference loader's numbers from the issue
(LaminDB 2.12 on this machine kind: 1,750 samples/s sparse, 3,550 dense, one core). Also prints the
shuffle quality of each sampler (distinct files and 256-cell blocks per batch of 256). Where CUDA is
available it also times a small training loop fed by the loader.

The ``store`` section (``_store_bench``) writes the same files as a training store and compares its loader
with annbatch's (``--compare-annbatch``): throughput, mixing, size on disk, exact random access, and a
2-process DDP epoch (gloo, CPU) that must cover every cell once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling helper modules
import _store_bench  # noqa: E402

REFERENCE = {"sparse": 1750.0, "dense": 3550.0}  # LaminDB 2.12 mapped loader, one core (issue 8)
HERE = Path(__file__).resolve().parent


def generate(folder: Path, kind: str, n_files: int, n_cells: int, n_genes: int, density: float) -> list[str]:
    import anndata as ad
    import pandas as pd
    import scipy.sparse as sp

    if hasattr(ad.settings, "allow_write_nullable_strings"):  # pandas 3 makes string columns nullable strings
        ad.settings.allow_write_nullable_strings = True
    folder.mkdir(parents=True, exist_ok=True)
    genes = [f"ENSG{i:011d}" for i in range(n_genes)]
    labels = np.array([f"type_{i}" for i in range(12)])
    paths = []
    for f in range(n_files):
        path = folder / f"{kind}_{f:02d}_{n_cells}x{n_genes}_v2.h5ad"
        paths.append(str(path))
        if path.exists():
            continue
        rng = np.random.default_rng(f)
        if kind == "sparse":
            X = sp.random(n_cells, n_genes, density=density, format="csr", dtype=np.float32, random_state=rng)
        else:
            X = rng.random((n_cells, n_genes), dtype=np.float32)
        obs = pd.DataFrame({"cell_type": pd.Categorical(labels[rng.integers(0, len(labels), n_cells)]),
                            "src_row": np.arange(n_cells)},  # lets the annbatch side measure mixing
                           index=[f"f{f}_c{i}" for i in range(n_cells)])
        tmp = path.with_suffix(".tmp.h5ad")
        ad.AnnData(X, obs=obs, var=pd.DataFrame(index=genes)).write_h5ad(tmp)
        tmp.rename(path)
    for p in paths:  # warm the page cache
        with open(p, "rb") as fh:
            while fh.read(1 << 24):
                pass
    return paths


class Rate(tuple):
    """(samples per wall-clock second, samples per CPU-second of this process)."""

    @property
    def wall(self) -> float:
        return self[0]

    @property
    def cpu(self) -> float:
        return self[1]


def _measure(step, budget_s: float) -> Rate:
    n, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < budget_s:
        n += step()
    return Rate((n / (time.perf_counter() - wall0), n / max(time.process_time() - cpu0, 1e-9)))


def rate(fn, budget_s: float) -> Rate:
    """Samples per second of ``fn()`` (which returns how many samples it produced), over about budget_s."""
    fn()  # warm up: open files, touch the mapping
    return _measure(fn, budget_s)


def loader_rate(loader, budget_s: float) -> Rate:
    state = {"it": iter(loader)}

    def step() -> int:
        try:
            return len(next(state["it"])["X"])
        except StopIteration:
            state["it"] = iter(loader)
            return 0

    for _ in range(5):
        step()
    return _measure(step, budget_s)


def shuffle_quality(batches, offsets: np.ndarray, n_batches: int = 200) -> tuple[float, float]:
    files, blocks = [], []
    for k, batch in enumerate(batches):
        if k == n_batches:
            break
        b = np.asarray(batch)
        store = np.searchsorted(offsets, b, side="right") - 1
        files.append(len(np.unique(store)))
        blocks.append(np.unique(np.stack([store, (b - offsets[store]) // 256]), axis=1).shape[1])
    return float(np.mean(files)), float(np.mean(blocks))


def h5py_rate(paths: list[str], kind: str, budget_s: float) -> Rate:
    import h5py

    from lineagedb.loaders._store import read_n_obs

    files = [h5py.File(p, "r") for p in paths]
    rng = np.random.default_rng(0)
    n_cells = read_n_obs(paths[0])
    if kind == "dense":
        xs = [f["X"] for f in files]

        def read() -> int:
            for _ in range(100):
                xs[rng.integers(len(xs))][rng.integers(n_cells)]
            return 100
    else:
        parts = [(f["X"]["data"], f["X"]["indices"], f["X"]["indptr"][:]) for f in files]

        def read() -> int:
            for _ in range(100):
                data, indices, indptr = parts[rng.integers(len(parts))]
                i = rng.integers(n_cells)
                data[indptr[i]:indptr[i + 1]], indices[indptr[i]:indptr[i + 1]]
            return 100
    try:
        return rate(read, budget_s)
    finally:
        for f in files:
            f.close()


def anndata_backed_rate(paths: list[str], budget_s: float) -> Rate:
    import anndata as ad

    adatas = [ad.read_h5ad(p, backed="r") for p in paths]
    rng = np.random.default_rng(0)

    def read() -> int:
        for _ in range(10):
            a = adatas[rng.integers(len(adatas))]
            a.X[int(rng.integers(a.n_obs))]
        return 10

    try:
        return rate(read, budget_s)
    finally:
        for a in adatas:
            a.file.close()


def lamindb_rate(paths: list[str], budget_s: float) -> float | None:
    """LaminDB's own MappedCollection through DataLoader(shuffle=True), run in its own interpreter."""
    python = os.environ.get("LAMINDB_PYTHON", str(HERE / ".lamindb-venv" / "bin" / "python"))
    code = (
        "import sys, json, time\n"
        "from lamindb.core import MappedCollection\n"
        "from torch.utils.data import DataLoader\n"
        "paths = json.loads(sys.argv[1]); budget = float(sys.argv[2])\n"
        "ds = MappedCollection(paths, obs_keys=['cell_type'], join=None)\n"
        "dl = DataLoader(ds, batch_size=256, shuffle=True)\n"
        "n, t = 0, time.perf_counter()\n"
        "for b in dl:\n"
        "    n += len(b['X'])\n"
        "    if time.perf_counter() - t > budget: break\n"
        "print(n / (time.perf_counter() - t))\n"
    )
    try:
        out = subprocess.run([python, "-c", code, json.dumps(paths), str(budget_s)], capture_output=True, text=True,
                             timeout=600, check=True, env={**os.environ, "LAMIN_TESTING": "true"})
        return float(out.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as e:
        detail = getattr(e, "stderr", "") or str(e)
        print(f"  (LaminDB comparison unavailable: {detail.strip().splitlines()[-1] if detail.strip() else e})")
        return None


def gpu_training_rate(ds, budget_s: float, device: str = "cuda", workers: int = 0) -> float | None:
    """Samples/s of a small MLP classifier trained on batches from the block sampler (None without the device)."""
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        return None
    from torch.utils.data import DataLoader

    dev = torch.device(device)
    n_classes = len(ds.encoders["cell_type"])
    model = torch.nn.Sequential(torch.nn.Linear(ds.n_vars, 256), torch.nn.ReLU(), torch.nn.Linear(256, n_classes)).to(dev)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loader = DataLoader(ds, batch_sampler=ds.block_sampler(batch_size=256, seed=0, num_workers=workers), collate_fn=ds.collate_fn,
                        num_workers=workers, pin_memory=device == "cuda", persistent_workers=workers > 0)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < budget_s:
        for batch in loader:
            x = batch["X"].to(dev, non_blocking=True)
            y = batch["cell_type"].to(dev, non_blocking=True)
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            n += len(x)
            if time.perf_counter() - start > budget_s:
                break
    if device == "cuda":
        torch.cuda.synchronize()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 files x 2,000 cells x 500 genes")
    parser.add_argument("--n-files", type=int, default=20)
    parser.add_argument("--n-cells", type=int, default=10_000)
    parser.add_argument("--n-genes", type=int, default=2_000)
    parser.add_argument("--density", type=float, default=0.1)
    parser.add_argument("--kinds", default="sparse,dense")
    parser.add_argument("--workers", type=int, default=0, help="also time a DataLoader with this many workers")
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per measurement")
    parser.add_argument("--dir", default=str(HERE / "results" / "loader_data"))
    parser.add_argument("--compare-lamindb", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the samples/s per kind and row as JSON")
    parser.add_argument("--only", default="mapped,store",
                        help="sections: mapped (collection.mapped rows), store (training store vs annbatch)")
    parser.add_argument("--compare-annbatch", action="store_true",
                        help="store section: annbatch side by side (its own Python 3.12 venv, made once)")
    parser.add_argument("--no-ddp", action="store_true", help="store section: skip the 2-process DDP epoch")
    parser.add_argument("--cold", action="store_true",
                        help="store section: drop the page cache (root only) before each side's first row")
    args = parser.parse_args()
    if args.quick:
        args.n_files, args.n_cells, args.n_genes, args.seconds = 4, 2_000, 500, min(args.seconds, 1.0)

    import torch
    from torch.utils.data import DataLoader

    from lineagedb.loaders import MappedCollection

    torch.set_num_threads(1)
    print(f"collection: {args.n_files} files x {args.n_cells} cells x {args.n_genes} genes, float32, one core")
    report: dict = {}  # --json: {kind: {"lineagedb": {row: {"wall", "cpu"}}, "lamindb": wall, "reference": ...}}
    sections = set(args.only.split(","))
    for kind in args.kinds.split(","):
        paths = generate(Path(args.dir), kind, args.n_files, args.n_cells, args.n_genes, args.density)
        ds = MappedCollection(paths, obs_keys=["cell_type"], join=None)
        if "mapped" not in sections:
            exact = loader_rate(DataLoader(ds, batch_size=256, shuffle=True, collate_fn=ds.collate_fn), args.seconds)
            report[kind] = {"store": _store_bench.section(paths, Path(args.dir), args.seconds, exact,
                                                         args.compare_annbatch, not args.no_ddp, cold=args.cold)}
            continue
        rng = np.random.default_rng(0)
        results: dict[str, float] = {}
        results["exact random, DataLoader(batch_size=256, shuffle=True)"] = loader_rate(
            DataLoader(ds, batch_size=256, shuffle=True), args.seconds)
        results["exact random, same + collate_fn=dataset.collate_fn"] = loader_rate(
            DataLoader(ds, batch_size=256, shuffle=True, collate_fn=ds.collate_fn), args.seconds)

        def single() -> int:
            for i in rng.integers(0, len(ds), 256):
                ds[int(i)]
            return 256

        results["exact random, single items ds[i]"] = rate(single, args.seconds)
        if args.workers:
            results[f"exact random, {args.workers} workers"] = loader_rate(
                DataLoader(ds, batch_size=256, shuffle=True, num_workers=args.workers, collate_fn=ds.collate_fn), args.seconds)
        # block mode: block_sampler() switches the dataset to whole-block reads
        results["block mode, DataLoader(batch_sampler=block_sampler(), collate_fn)"] = loader_rate(
            DataLoader(ds, batch_sampler=ds.block_sampler(batch_size=256, seed=0), collate_fn=ds.collate_fn), args.seconds)
        if args.workers:
            results[f"block mode, {args.workers} workers"] = loader_rate(
                DataLoader(ds, batch_sampler=ds.block_sampler(batch_size=256, seed=0, num_workers=args.workers),
                           num_workers=args.workers, collate_fn=ds.collate_fn), args.seconds)
        h5 = h5py_rate(paths, kind, args.seconds)
        backed = anndata_backed_rate(paths, args.seconds)
        lamin = lamindb_rate(paths, args.seconds) if args.compare_lamindb else None
        gpu = gpu_training_rate(ds, args.seconds, workers=args.workers)
        ds.close()

        one_core = "per CPU-second of the process (one core); worker rows: wall clock"
        print(f"\n[{kind}] samples/s, {one_core}; ratios use the CPU column")
        print(f"  {'':<66} {'wall':>9} {'per CPU-s':>10} {'x backed':>9} {'x ref':>7}" + ("  x LaminDB" if lamin else ""))
        base = backed.cpu

        def show(name: str, r: Rate, workers: bool = False) -> None:
            value = r.wall if workers else r.cpu
            ratio = value / (backed.wall if workers else base)
            cpu = f"{r.cpu:>10,.0f}" if not workers else f"{'-':>10}"
            line = f"  {name:<66} {r.wall:>9,.0f} {cpu} {ratio:>8.1f}x {value / REFERENCE[kind]:>6.1f}x"
            print(line + (f" {value / lamin:>9.1f}x" if lamin else ""))

        for name, value in results.items():
            show(name, value, workers="workers" in name)
        show("plain h5py single-row reads", h5)
        show("anndata backed-mode row reads", backed)
        if lamin:
            print(f"  {'LaminDB MappedCollection, measured (wall)':<66} {lamin:>9,.0f}")
        print(f"  reference loader (issue, LaminDB 2.12, one core): {REFERENCE[kind]:,.0f}/s")
        if gpu:
            print(f"  {f'GPU training loop (MLP 2000-256-12, block mode, {args.workers} workers, wall)':<66} {gpu:>9,.0f}")
        exact = shuffle_quality(iter(lambda: rng.permutation(len(ds))[:256].tolist(), None), ds.offsets)
        block = shuffle_quality(iter(ds.block_sampler(batch_size=256, seed=1)), ds.offsets)
        print(f"  shuffle quality per batch of 256: exact shuffle {exact[0]:.1f} files / {exact[1]:.1f} blocks;"
              f" block mode (256-cell blocks, 4,096 buffer) {block[0]:.1f} files / {block[1]:.1f} blocks")
        rows = dict(results, **{"plain h5py single-row reads": h5, "anndata backed-mode row reads": backed})
        report[kind] = {"lineagedb": {name: {"wall": r.wall, "cpu": r.cpu} for name, r in rows.items()},
                        "lamindb": lamin, "reference": REFERENCE[kind], "gpu_training": gpu}
        if "store" in sections:
            exact_rate = results["exact random, same + collate_fn=dataset.collate_fn"]
            report[kind]["store"] = _store_bench.section(paths, Path(args.dir), args.seconds, exact_rate,
                                                         args.compare_annbatch, not args.no_ddp, cold=args.cold)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
