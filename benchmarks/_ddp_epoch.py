"""One training-store epoch across processes with ``torch.distributed`` (gloo, CPU), as ``torchrun`` would run it.

Each rank iterates ``store.loader(...)`` (which reads rank and world size from the process group), the
ranks exchange the cells they saw, and rank 0 checks that together they covered every cell exactly once.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import time
from pathlib import Path


def _worker(rank: int, world: int, path: str, port: int, out: str, batch_size: int) -> None:
    import numpy as np
    import torch.distributed as dist

    from lineagedb.loaders import TrainingStore

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        store = TrainingStore(path)
        loader = store.loader(batch_size=batch_size, seed=0, obs_keys="cell_type")
        dist.barrier()
        start = time.perf_counter()
        seen, batches = [], 0
        for batch in loader:
            seen.append(batch["index"].numpy())
            batches += 1
        elapsed = time.perf_counter() - start
        mine = np.concatenate(seen) if seen else np.zeros(0, dtype=np.int64)
        everyone: list = [None] * world
        dist.all_gather_object(everyone, {"ids": mine, "batches": batches, "seconds": elapsed})
        if rank == 0:
            ids = np.concatenate([e["ids"] for e in everyone])
            report = {"world_size": world, "n_cells": store.n_obs, "seen": int(len(ids)),
                      "distinct": int(len(np.unique(ids))), "batches_per_rank": [e["batches"] for e in everyone],
                      "seconds": max(e["seconds"] for e in everyone)}
            report["every_cell_once"] = report["seen"] == report["distinct"] == store.n_obs
            Path(out).write_text(json.dumps(report))
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ddp_epoch(path: str, world_size: int = 2, batch_size: int = 256) -> dict:
    """Run one epoch on ``world_size`` processes; the report of rank 0."""
    import torch.multiprocessing as mp

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        mp.spawn(_worker, args=(world_size, str(path), free_port(), out, batch_size), nprocs=world_size, join=True)
        return json.loads(Path(out).read_text())
