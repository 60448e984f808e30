"""`make bench`: every measured target as one table — figure, target, ratio, pass/fail.

Each module in bench/ with a `table()` function contributes rows
`(figure, value, target, ratio, ok)`. Results are also written as JSON under bench/results/
(ignored by git) to compare runs.
"""
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


#: Modules here that are not table suites: importing the locustfile would patch this process
#: with gevent, and the load test runs on its own (`make load`).
NOT_SUITES = {"run", "load", "locustfile"}


def suites():
    import bench

    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda i: i.name):
        if info.name not in NOT_SUITES:
            module = importlib.import_module(f"bench.{info.name}")
            if hasattr(module, "table"):
                yield info.name, module.table


def main():
    rows, failed = [], 0
    for _name, run in suites():
        rows.extend(run())
    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  {'value':>12}  {'target':<28} {'ratio':>6}  result")
    for figure, value, target, ratio, ok in rows:
        failed += not ok
        print(f"{figure.ljust(width)}  {value:>12}  {target:<28} {ratio:6.2f}  {'pass' if ok else 'FAIL'}")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (results / f"bench-{stamp}.json").write_text(json.dumps(
        [dict(zip(("figure", "value", "target", "ratio", "ok"), r, strict=False)) for r in rows], indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
