"""Upload and cached-read throughput of an S3-rooted instance against raw s3fs, on the same local server.

    .venv/bin/python benchmarks/bench_s3.py                  # a 256 MiB file, 100 small files
    .venv/bin/python benchmarks/bench_s3.py --size-mb 1024   # a 1 GiB file
    .venv/bin/python benchmarks/bench_s3.py --endpoint http://127.0.0.1:9000   # an S3 server you run

Starts ``python -m moto.server`` on a free loopback port unless ``--endpoint`` is given. Measures:

- upload: ``ln.Artifact(path, key=...).save()`` (hash, multipart upload to ``.tmp-<uid>``, row, server-side
  rename) against ``s3fs.put_file`` of the same file;
- first read: ``artifact.cache()`` (download into the cache) against ``s3fs.get_file``;
- cached read: ``artifact.cache()`` again (one listing request, no data) against a second ``s3fs.get_file``;
- small files: ``save()`` per 4 KiB file against ``s3fs.put_file`` per file.

Numbers depend on the server: moto keeps objects in memory and is CPU-bound in Python, so both columns
measure the same server and only the ratio carries over to real S3.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_moto() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("moto's S3 server did not start (pip install 'moto[server]')")


def _best(fn, repeats: int) -> float:  # noqa: ANN001
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=256, help="size of the large file in MiB (default 256)")
    ap.add_argument("--n-small", type=int, default=100, help="number of 4 KiB files (default 100)")
    ap.add_argument("--repeats", type=int, default=3, help="repeats per measurement; the best is reported")
    ap.add_argument("--endpoint", default=None, help="an S3 endpoint URL; default: start moto on loopback")
    args = ap.parse_args()

    proc = None
    endpoint = args.endpoint
    if endpoint is None:
        proc, endpoint = _start_moto()
    tmp = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    os.environ.update(AWS_ENDPOINT_URL=endpoint, LINEAGEDB_HOME=str(tmp / "home"),
                      LINEAGEDB_CACHE_DIR=str(tmp / "cache"))
    for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(k, v)
    try:
        import boto3
        import s3fs

        import lineagedb as ln

        bucket = f"bench-s3-{os.getpid()}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        ln.setup.init(storage=f"s3://{bucket}/inst", name="bench-s3")
        ln.settings.progress = False
        fs = s3fs.S3FileSystem(endpoint_url=endpoint)
        size = args.size_mb << 20
        rows = []

        def file_of(i: int) -> Path:
            path = tmp / f"big{i}.bin"
            with open(path, "wb") as f:
                for _ in range(args.size_mb):
                    f.write(os.urandom(1 << 20))
            return path

        files = [file_of(i) for i in range(args.repeats)]  # distinct content: no deduplication
        raw_up = _best(lambda: fs.put_file(str(files[0]), f"{bucket}/raw/big.bin"), args.repeats)
        it = iter(files)
        artifacts = []
        ours_up = _best(lambda: artifacts.append(ln.Artifact(next(it), key=f"big/{len(artifacts)}.bin").save()),
                        args.repeats)
        rows.append(("upload", size, raw_up, ours_up))

        target = tmp / "raw-get.bin"
        raw_get = _best(lambda: fs.get_file(f"{bucket}/raw/big.bin", str(target)), args.repeats)
        art = artifacts[0]

        def first_read() -> None:
            from lineagedb.core._cache import evict

            evict(str(art.path))
            art.cache()

        ours_get = _best(first_read, args.repeats)
        rows.append(("first read (download)", size, raw_get, ours_get))
        art.cache()
        ours_cached = _best(art.cache, max(args.repeats, 5))
        rows.append(("cached read", size, raw_get, ours_cached))

        small = []
        for i in range(args.n_small):
            p = tmp / "small" / f"s{i:04d}.bin"
            p.parent.mkdir(exist_ok=True)
            p.write_bytes(os.urandom(4096))
            small.append(p)
        t0 = time.perf_counter()
        for i, p in enumerate(small):
            fs.put_file(str(p), f"{bucket}/raw/small/{i}.bin")
        raw_small = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i, p in enumerate(small):
            ln.Artifact(p, key=f"small/{i}.bin").save()
        ours_small = time.perf_counter() - t0
        rows.append((f"{args.n_small} small files (4 KiB)", 4096 * args.n_small, raw_small, ours_small))

        print(f"S3 server {endpoint} ({'moto' if proc else 'external'}); best of {args.repeats}; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"{'operation':<28}{'raw s3fs':>14}{'lineagedb':>14}{'MiB/s raw':>12}{'MiB/s ours':>12}{'ours/raw':>10}")
        for name, nbytes, raw, ours in rows:
            mib = nbytes / (1 << 20)
            print(f"{name:<28}{raw:>12.3f} s{ours:>12.3f} s{mib / raw:>12.1f}{mib / ours:>12.1f}{ours / raw:>10.2f}")
    finally:
        if proc is not None:
            proc.terminate()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
