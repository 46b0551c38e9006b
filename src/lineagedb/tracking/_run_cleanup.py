"""The background process that removes the reports and environments of runs deleted for good.

Started by ``_run_delete.schedule_cleanup`` once the deletion committed; prints one line per artifact into
the log ``<cache_dir>/run_cleanup_logs_<run uid>.txt``.

    python -m lineagedb.tracking._run_cleanup --instance NAME --ids 12,13
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instance", required=True)
    parser.add_argument("--ids", required=True, help="comma-separated artifact ids")
    ns = parser.parse_args(argv)
    from ..core.instance import connect

    connect(ns.instance)
    from ..models._run_delete import cleanup

    for line in cleanup([int(i) for i in ns.ids.split(",") if i.strip()]):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
