"""annbatch's side of ``bench_loader.py --compare-annbatch``: run by the annbatch venv's Python (3.12), never
imports lineagedb. Prints one JSON object: write time, storage size, shuffled-chunk throughput and mixing with
annbatch's defaults (chunk 512 x preload 32), and exact random access (chunk_size=1).

    python annbatch_side.py '<json list of h5ad paths>' OUT_DIR SECONDS BATCH_SIZE [cold]

``cold``: drop the page cache (root only) after writing the store, so that its first reads come from disk;
the shuffled-chunk row then stops at the end of its first epoch.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import warnings

import numpy as np


def folder_bytes(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


def drop_caches() -> None:
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as fh:
        fh.write("3\n")


def measure(loader, budget_s: float, n_vars: int, mixing: list | None = None,
            one_epoch: bool = False) -> tuple[float, float]:
    """(samples per wall second, per CPU second) of dense float32 batches + int labels, as the other side makes;
    ``one_epoch``: stop at the end of the first epoch too (a cold measurement)."""
    n, batches, epochs = 0, 0, 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < budget_s and not (one_epoch and epochs):
        epochs += 1
        for batch in loader:
            x = batch["X"]
            x = x.toarray() if hasattr(x, "toarray") else np.asarray(x)
            labels = batch["obs"]["cell_type"].cat.codes.to_numpy(np.int64)
            assert x.shape == (len(labels), n_vars) and x.dtype == np.float32
            if mixing is not None and len(mixing) < 200:
                obs = batch["obs"]
                mixing.append((obs["src_path"].astype(str).to_numpy(), obs["src_row"].to_numpy()))
            n += len(labels)
            batches += 1
            if time.perf_counter() - wall0 > budget_s:
                break
    return n / (time.perf_counter() - wall0), n / max(time.process_time() - cpu0, 1e-9)


def main() -> None:
    warnings.filterwarnings("ignore")
    paths, out, budget, batch_size = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    cold = sys.argv[5:] == ["cold"]
    import annbatch
    import zarr
    from annbatch import DatasetCollection, Loader

    try:  # annbatch's recommended set-up for local files: the Rust codec pipeline (annbatch[zarrs])
        import zarrs  # noqa: F401

        zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"})
        pipeline = "zarrs"
    except ImportError:
        pipeline = "zarr-python"

    store = os.path.join(out, "annbatch_collection.zarr")
    shutil.rmtree(store, ignore_errors=True)
    t = time.perf_counter()
    collection = DatasetCollection(store).add_adatas(paths, shuffle=True, rng=np.random.default_rng(0))
    write_s = time.perf_counter() - t
    result = {"version": annbatch.__version__, "pipeline": pipeline, "write_s": write_s, "bytes": folder_bytes(store)}
    n_vars = None
    mixing: list = []
    loader = Loader(chunk_size=512, preload_nchunks=32, batch_size=batch_size, shuffle=True,
                    rng=np.random.default_rng(0), preload_to_gpu=False).use_collection(collection)
    n_vars = loader.n_var
    if cold:
        drop_caches()
    else:
        measure(loader, min(1.0, budget), n_vars)  # warm up
    result["chunked"] = measure(loader, budget, n_vars, mixing, one_epoch=cold)
    files = [len(np.unique(p)) for p, _ in mixing]
    blocks = [len({(a, b // 256) for a, b in zip(p, r)}) for p, r in mixing]
    result["mixing"] = [float(np.mean(files)), float(np.mean(blocks))]
    exact = Loader(chunk_size=1, preload_nchunks=batch_size, batch_size=batch_size, shuffle=True,
                   rng=np.random.default_rng(0), preload_to_gpu=False).use_collection(collection)
    measure(exact, min(1.0, budget), n_vars)
    result["exact"] = measure(exact, budget, n_vars)
    shutil.rmtree(store, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
