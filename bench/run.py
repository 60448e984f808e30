"""`make bench`: every measured target as one table — figure, target, ratio, pass/fail.

Results are also written as JSON under bench/results/ (ignored by git) to compare runs.
"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import page_weight  # noqa: E402

SUITES = [("page weight", page_weight.table)]


def main():
    rows, failed = [], 0
    for _name, run in SUITES:
        rows.extend(run())
    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  {'value':>10}  {'target':<26} {'ratio':>6}  result")
    for figure, value, target, ratio, ok in rows:
        failed += not ok
        print(f"{figure.ljust(width)}  {value:>10}  {target:<26} {ratio:6.2f}  {'pass' if ok else 'FAIL'}")
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (results / f"bench-{stamp}.json").write_text(json.dumps(
        [dict(zip(("figure", "value", "target", "ratio", "ok"), r, strict=False)) for r in rows], indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
