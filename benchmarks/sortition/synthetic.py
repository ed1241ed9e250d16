"""Synthetic sortition instances like the ones the service will meet, and our command line
timed on them.

``.venv/bin/python benchmarks/sortition/synthetic.py`` writes each instance (people.csv
and categories.csv, in the Sortition Foundation's formats) under ``.data/bench/synthetic/``
and runs ``python -m sortition select`` on it, printing a Markdown table: people, classes,
seconds end to end, the minimum probability and the number of panels in the lottery.

An instance: ``people`` respondents with ``features`` features (value counts from
``SIZES``), drawn from a skewed population (self-selected respondents over-represent some
values, as real pools do); quotas are the population's shares of the panel, one seat
either side; a share ``households`` of the people live two or three to an address.

``--variants`` runs other pools instead (``VARIANTS``): quotas with no seat either side of
the rounded share, or exact (minimum = maximum), or respondents far more skewed.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from run import ensure_reference, reference

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / ".data" / "bench" / "synthetic"
SIZES = [2, 5, 9, 3, 4, 6, 3]
#: (people, seats, features, share in households, seed)
GRID = [
    (500, 50, 5, 0.3, 1),
    (1000, 90, 6, 0.1, 2),
    (1500, 90, 6, 0.0, 3),
    (2500, 90, 6, 0.2, 4),
    (3000, 120, 7, 0.3, 5),
    # Seven features and many households: the hardest for us so far (see the README).
    (800, 60, 7, 0.4, 11),
    (1000, 90, 7, 0.2, 15),
]
#: (people, seats, features, share in households, seed, quota slack, respondents' skew):
#: slack 1 is the grid's, 0 the rounded share itself, None exact (min = max) quotas.
VARIANTS = [
    (1000, 90, 4, 0.3, 21, 0, 0.5),
    (2000, 90, 5, 0.5, 22, 0, 0.5),
    (3000, 90, 7, 0.5, 23, 1, 0.5),
    (500, 40, 7, 0.6, 24, 1, 0.5),
    (1500, 100, 3, 0.4, 25, 0, 0.5),
    (700, 70, 6, 0.3, 26, 0, 0.9),
    (500, 40, 4, 0.3, 31, None, 0.5),
    (1000, 90, 3, 0.2, 32, None, 0.5),
    (800, 60, 6, 0.3, 33, None, 0.5),
    (1500, 90, 7, 0.1, 34, None, 0.5),
    # Added with the exchanges, to look for pools where they do badly (none found).
    (1000, 90, 7, 0.5, 41, 0, 0.5),
    (600, 60, 7, 0.3, 42, None, 0.5),
    (2000, 120, 6, 0.3, 43, 0, 0.9),
    (500, 50, 6, 0.2, 44, 0, 0.5),
    (1200, 90, 7, 0.1, 45, 1, 0.9),
    (800, 80, 7, 0.6, 46, 0, 0.7),
]


def generate(
    people: int,
    seats: int,
    features: int,
    households: float,
    seed: int,
    slack: int | None = 1,
    skew: float = 0.5,
) -> Path:
    rng = np.random.default_rng(seed)
    sizes = SIZES[:features]
    population = [rng.dirichlet(np.full(size, 4.0)) for size in sizes]
    # Respondents: tilted away from the population, as self-selection does.
    pool = [p * rng.uniform(1 - skew, 1 + skew, len(p)) for p in population]
    values = np.column_stack([rng.choice(len(p), size=people, p=p / p.sum()) for p in pool])
    address = np.arange(people)
    shared = int(people * households)
    start = 0
    while start < shared:
        size = int(rng.integers(2, 4))
        address[start : start + size] = start
        start += size
    address = rng.permutation(address)
    name = f"p{people}_k{seats}_f{features}_h{int(households * 100)}_s{seed}"
    name += "" if slack == 1 else "_exact" if slack is None else f"_q{slack}"
    name += "" if skew == 0.5 else f"_t{int(skew * 100)}"
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    columns = [f"f{i}" for i in range(features)]
    with open(folder / "people.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", *columns, "address"])
        for person in range(people):
            writer.writerow(
                [f"x{person}", *(f"v{v}" for v in values[person]), f"a{address[person]}"]
            )
    with open(folder / "categories.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["feature", "value", "min", "max"])
        for f, share in enumerate(population):
            targets = share * seats
            if slack is None:  # the largest remainders: counts that sum to the seats
                exact = np.floor(targets).astype(int)
                exact[np.argsort(exact - targets)[: seats - exact.sum()]] += 1
                bounds = [(int(c), int(c)) for c in exact]
            else:
                bounds = [
                    (max(0, int(np.floor(t)) - slack), int(np.ceil(t)) + slack) for t in targets
                ]
            for v, (low, high) in enumerate(bounds):
                writer.writerow([columns[f], f"v{v}", low, high])
    return folder


def run(folder: Path, seats: int, limit: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "result.json"
        command = [
            *(sys.executable, "-m", "sortition", "select"),
            *("--people", str(folder / "people.csv")),
            *("--categories", str(folder / "categories.csv")),
            *("--panel-size", str(seats), "--household-column", "address"),
            *("--seed", "1", "--output", str(output)),
        ]
        started = time.perf_counter()
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            return {"seconds": limit, "error": f"stopped after {limit:.0f} s"}
        seconds = time.perf_counter() - started
        if completed.returncode != 0:
            return {"seconds": seconds, "error": completed.stderr.strip()[-200:]}
        result = json.loads(output.read_text())
    return {
        "seconds": seconds,
        "min_probability": result["min_probability"],
        "panels": len(result["distribution"]),
        "valid": all(valid(folder, seats, entry["panel"]) for entry in result["distribution"]),
    }


def valid(folder: Path, seats: int, panel: list[str]) -> bool:
    """Whether a panel has the right size, meets every quota and seats at most one person
    per address."""
    with open(folder / "people.csv", newline="") as file:
        people = {row["id"]: row for row in csv.DictReader(file)}
    with open(folder / "categories.csv", newline="") as file:
        quotas = list(csv.DictReader(file))
    members = [people[i] for i in panel]
    if len(members) != seats or len({m["address"] for m in members}) != seats:
        return False
    for quota in quotas:
        count = sum(m[quota["feature"]] == quota["value"] for m in members)
        if not int(quota["min"]) <= count <= int(quota["max"]):
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only the instances whose name contains this")
    parser.add_argument("--limit", type=float, default=600.0, help="seconds per instance")
    parser.add_argument(
        "--reference", type=float, metavar="SECONDS", help="also run the reference's maximin"
    )
    parser.add_argument("--variants", action="store_true", help="run VARIANTS, not GRID")
    arguments = parser.parse_args()
    python = ensure_reference() if arguments.reference else None
    extra = (
        " reference LEXIMIN (CBC) | reference maximin (CBC) | its best min probability |"
        " speed-up vs its LEXIMIN (else maximin) |"
    )
    print(
        "| instance | seconds (CLI, end to end) | min probability | panels | panels valid |"
        + (extra if python else "")
    )
    print("|---|---|---|---|---|" + ("---|---|---|---|" if python else ""))
    pools = VARIANTS if arguments.variants else [(*pool, 1, 0.5) for pool in GRID]
    for people, seats, features, households, seed, slack, skew in pools:
        folder = generate(people, seats, features, households, seed, slack, skew)
        if arguments.only and arguments.only not in folder.name:
            continue
        result = run(folder, seats, arguments.limit)
        if "error" in result:
            line = f"| {folder.name} | {result['error']} | | | |"
        else:
            line = (
                f"| {folder.name} | {result['seconds']:.2f} s | "
                f"{result['min_probability']:.7f} | {result['panels']} | "
                f"{'yes' if result['valid'] else 'NO'} |"
            )
        if python is not None:
            theirs = {
                algorithm: reference(
                    python, folder, seats, "address", algorithm, "mip", arguments.reference
                )
                for algorithm in ("leximin", "maximin")
            }
            ran = [r for r in theirs.values() if "error" not in r]
            for r in theirs.values():
                line += f" {r['wall']:.1f} s |" if "error" not in r else f" {r['error'][:50]} |"
            best = max((r["profile"][0] for r in ran), default=None)
            line += f" {best:.7f} |" if best is not None else " |"
            # The target compares with its LEXIMIN, or its maximin where its LEXIMIN fails.
            fastest = next((r["wall"] for r in [theirs["leximin"], *ran] if "error" not in r), None)
            if fastest is not None and "error" not in result:
                line += f" {fastest / result['seconds']:.1f}× |"
            else:
                line += " |"
        print(line, flush=True)


if __name__ == "__main__":
    main()
