"""Stage 1 benchmark: scan a 1.4-million-row registry extract and draw 10,000 letters.

``.venv/bin/python benchmarks/sortition/stage1.py``: makes a synthetic Milan-like extract in
``.data/bench/extract.csv`` (once, with a fixed seed), then runs scan, draw and the second
pass in a fresh process and reports the time and the peak memory of that process.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTRACT = ROOT / ".data" / "bench" / "extract.csv"
ROWS = 1_400_000

MEASURE = """
import json, resource, sys, time
from sortition.domain.invitations import draw_invitations, references, scan
path = sys.argv[1]
started = time.perf_counter()
with open(path, newline="") as f:
    extract = scan(f)
scanned = time.perf_counter()
drawn, seats = draw_invitations(extract, count=10_000, seed="benchmark")
with open(path, newline="") as f:
    refs = dict(references(f, drawn.tolist()))
done = time.perf_counter()
print(json.dumps({
    "rows": extract.rows, "eligible": len(extract.row_of), "strata": len(extract.strata),
    "letters": len(refs), "scan_s": scanned - started, "draw_and_refs_s": done - scanned,
    "total_s": done - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def make_extract() -> None:
    EXTRACT.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20271)
    municipi = [f"M{i}" for i in range(1, 10)]
    weights = [97, 162, 145, 160, 128, 153, 176, 160, 183]
    with EXTRACT.open("w") as f:
        f.write("person_ref,household_ref,age,gender,citizenship,municipio\n")
        household = 0
        for i in range(ROWS):
            if rng.random() < 0.55:
                household += 1
            f.write(
                f"P{i:08d},H{household:08d},{rng.randint(0, 100)},"
                f"{'F' if rng.random() < 0.52 else 'M'},"
                f"{rng.choices(['IT', 'EU', 'NONEU'], [80, 4, 16])[0]},"
                f"{rng.choices(municipi, weights)[0]}\n"
            )


def main() -> int:
    if not EXTRACT.exists():
        started = time.perf_counter()
        make_extract()
        print(f"made {EXTRACT} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(EXTRACT)], check=True, capture_output=True, text=True
    )
    result = json.loads(done.stdout)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
