"""Artifact save latency and large-file hash+copy throughput.

    .venv/bin/python benchmarks/bench_artifacts.py                 # 200 small files, a 256 MiB file
    .venv/bin/python benchmarks/bench_artifacts.py --size-gb 1     # a 1 GiB file
    .venv/bin/python benchmarks/bench_artifacts.py --db postgresql://postgres@127.0.0.1:5432/bench

Small files: ``ln.Artifact(path, key=...).save()`` per file (hash, dedup query, staged copy, one
transaction, rename), timed end to end. Large file: ``ln.Artifact(path).save()`` (which reads the file
once to hash and copy it) against a plain ``shutil.copyfile`` of the same file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import fresh_lineagedb  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-small", type=int, default=200, help="number of small files (default 200)")
    ap.add_argument("--small-bytes", type=int, default=1024, help="size of each small file (default 1 KiB)")
    ap.add_argument("--size-gb", type=float, default=0.25, help="size of the large file in GiB (default 0.25)")
    ap.add_argument("--db", default=None, help="a PostgreSQL URL (an empty database); default: SQLite")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-artifacts-"))
    ln = fresh_lineagedb(tmp, "bench-artifacts", db=args.db, storage=str(tmp / "store"))
    src = tmp / "src"
    src.mkdir()
    files = []
    for i in range(args.n_small):
        path = src / f"f{i:04d}.txt"
        path.write_bytes(os.urandom(args.small_bytes))
        files.append(path)
    ln.Artifact(files[0], key="warmup/f.txt").save()  # connect, caches, first-query costs
    times, cpu = [], []
    for i, path in enumerate(files[1:], 1):
        t0, c0 = time.perf_counter(), time.process_time()
        ln.Artifact(path, key=f"small/{i:04d}.txt").save()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"save latency, {len(times)} files of {args.small_bytes} B ({'PostgreSQL' if args.db else 'SQLite'}): "
          f"median {statistics.median(times) * 1e3:.2f} ms, mean {statistics.mean(times) * 1e3:.2f} ms, "
          f"p90 {sorted(times)[int(len(times) * 0.9)] * 1e3:.2f} ms; CPU time of this process "
          f"median {statistics.median(cpu) * 1e3:.2f} ms (load average now {os.getloadavg()[0]:.1f})")

    size = int(args.size_gb * (1 << 30))
    big = src / "big.bin"
    with open(big, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size // len(block)):
            f.write(block + os.urandom(16))  # no two blocks alike
    size = big.stat().st_size
    shutil.copyfile(big, tmp / "warm.bin")  # warm the page cache for both contenders
    (tmp / "warm.bin").unlink()
    plain, ours = [], []
    for i in range(3):
        t0 = time.perf_counter()
        shutil.copyfile(big, tmp / "plain.bin")
        plain.append(time.perf_counter() - t0)
        (tmp / "plain.bin").unlink()
        t0 = time.perf_counter()
        artifact = ln.Artifact(big, key=f"big/{i}.bin", skip_hash_lookup=True).save()
        ours.append(time.perf_counter() - t0)
        Path(str(artifact.path)).unlink()
    gib = size / (1 << 30)
    p, o = statistics.median(plain), statistics.median(ours)
    print(f"large file {gib:.2f} GiB: shutil.copyfile {p:.3f} s ({gib / p:.2f} GiB/s); "
          f"Artifact(path).save() hash+copy {o:.3f} s ({gib / o:.2f} GiB/s); ratio {o / p:.2f}x")
    ln.setup.delete("bench-artifacts") if hasattr(ln.setup, "delete") else None
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
