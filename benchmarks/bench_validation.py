"""Validation speed: a 100,000-row x 10-column DataFrame against ``ln.Schema(itype=ln.Feature)``.

Two categorical columns (20 and 50 distinct values) validate against saved ``ln.Record`` labels, eight
float columns against their dtype. Target: under 0.1 s (the reference takes 0.2 s on this machine kind).

    .venv/bin/python benchmarks/bench_validation.py             # SQLite, 100k rows
    .venv/bin/python benchmarks/bench_validation.py --rows 1000000 --db postgresql://postgres@127.0.0.1:5432/x

Prints the median of ``--repeats`` runs of ``DataFrameCurator(df, schema).validate()`` (the validation
that ``Artifact.from_dataframe(..., schema=...)`` runs before writing), and of ``from_dataframe`` itself
(validation + parquet serialisation + hashing) when the artifacts capability is installed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import fresh_lineagedb, make_dataframe, median, timeit  # noqa: E402
from _operations import save_validation_schema  # noqa: E402

TARGET_S = 0.1
REFERENCE_S = 0.2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--db", default=None, help="a PostgreSQL URL (default: SQLite)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-validation-"))
    ln = fresh_lineagedb(work, "bench-validation", db=args.db)
    schema = save_validation_schema(ln)  # the same labels, features and schema as run.py's validate row
    df = make_dataframe(args.rows)

    def validate() -> None:
        ln.curators.DataFrameCurator(df, schema).validate()

    t_validate = median(timeit(validate, args.repeats, warmup=1))
    verdict = "meets" if t_validate < TARGET_S else "MISSES"
    print(f"validate {args.rows:,} rows x {df.shape[1]} columns: {t_validate * 1000:.1f} ms "
          f"({verdict} the {TARGET_S * 1000:.0f} ms target; reference {REFERENCE_S * 1000:.0f} ms)")
    try:
        t_from = median(timeit(lambda: ln.Artifact.from_dataframe(df, key="bench/v.parquet", schema=schema),
                               args.repeats, warmup=1))
        print(f"Artifact.from_dataframe(..., schema=schema) (validate + parquet + hash): {t_from * 1000:.1f} ms")
    except (AttributeError, TypeError, NotImplementedError) as e:
        print(f"Artifact.from_dataframe not available here: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
