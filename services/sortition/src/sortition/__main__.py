"""``python -m sortition select ...``: a selection from CSV files, with no database, no
broker and no web stack."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sortition.domain.progress import DrawPhase


class TerminalProgress:
    """Reports a long selection's progress on stderr, at most once every ``every`` seconds
    (so a selection that takes less than that prints nothing)."""

    def __init__(self, started: float, every: float) -> None:
        self.started = self.last = started
        self.every = every

    def __call__(self, phase: DrawPhase, done: float | None, panels: int) -> None:
        now = time.perf_counter()
        if now - self.last < self.every:
            return
        self.last = now
        share = "" if done is None else f" {done:.0%}"
        print(
            f"sortition: {phase}{share}, {panels} panels so far, {now - self.started:.0f} s",
            file=sys.stderr,
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(prog="python -m sortition")
    sub = parser.add_subparsers(dest="command", required=True)
    select = sub.add_parser(
        "select",
        help="draw a panel from a pool and quotas in the Sortition Foundation's CSV formats",
    )
    select.add_argument("--people", type=Path, required=True, help="people.csv")
    select.add_argument("--categories", type=Path, required=True, help="categories.csv")
    select.add_argument("--panel-size", type=int, required=True)
    select.add_argument("--algorithm", choices=["leximin", "legacy"], default="leximin")
    select.add_argument("--seed", required=True, help="the published seed")
    select.add_argument("--household-column", default=None)
    select.add_argument("--id-column", default="id")
    select.add_argument("--output", type=Path, default=None, help="result.json (default: stdout)")
    select.add_argument(
        "--transparent",
        dest="uniform_panels",
        type=int,
        default=None,
        metavar="M",
        help="round to a uniform lottery over M panels",
    )
    select.add_argument(
        "--legacy-runs", type=int, default=1000, help="draws that estimate LEGACY's probabilities"
    )
    select.add_argument(
        "--progress-every",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="report progress on stderr at most this often (0: every step; default 5)",
    )
    select.add_argument("--quiet", action="store_true", help="no progress reports")
    args = parser.parse_args(argv)

    from sortition.domain.instance import (
        InstanceError,
        build_instance,
        read_people_csv,
        read_quotas_csv,
    )
    from sortition.domain.leximin import Infeasible
    from sortition.select import select as run

    try:
        instance = build_instance(
            panel_size=args.panel_size,
            quotas=read_quotas_csv(args.categories.read_text(encoding="utf-8-sig")),
            people=read_people_csv(args.people.read_text(encoding="utf-8-sig")),
            id_column=args.id_column,
            household_column=args.household_column,
        )
        if args.uniform_panels is not None and args.uniform_panels < 1:
            raise InstanceError("invalid-transparent", "--transparent needs M >= 1.")
        selection = run(
            instance,
            algorithm=args.algorithm,
            seed=args.seed,
            uniform_panels=args.uniform_panels,
            legacy_runs=args.legacy_runs,
            report=None if args.quiet else TerminalProgress(started, args.progress_every),
        )
    except Infeasible:
        from sortition.domain.feasibility import check_feasibility

        feasibility = check_feasibility(instance)
        if feasibility.feasible:  # the integer program found a panel: ours is at fault
            print(
                "sortition: a panel can meet the quotas, but the LEXIMIN computation lost "
                "it to rounding errors; please report this instance.",
                file=sys.stderr,
            )
            return 1
        print("sortition: no panel meets the quotas with this pool.", file=sys.stderr)
        if feasibility.relaxations:
            print(
                f"The smallest relaxation that works ({feasibility.relaxed_seats} seat(s) in all):",
                file=sys.stderr,
            )
            for r in feasibility.relaxations:
                q = r.quota
                change = []
                if r.min != q.min:
                    change.append(f"min {q.min} -> {r.min}")
                if r.max != q.max:
                    change.append(f"max {q.max} -> {r.max}")
                available = feasibility.available[(q.feature, q.value)]
                print(
                    f"  {q.feature}={q.value}: {', '.join(change)} ({available} in the pool)",
                    file=sys.stderr,
                )
        else:
            print(
                "No relaxation of the quotas helps: the households cannot fill the panel.",
                file=sys.stderr,
            )
        return 2
    except (InstanceError, OSError) as exc:
        print(f"sortition: {exc}", file=sys.stderr)
        return 2
    result = selection.as_json()
    result["seconds"] = round(time.perf_counter() - started, 3)
    text = json.dumps(result, indent=None, separators=(",", ":"))
    if args.output is None:
        print(text)
    else:
        args.output.write_text(text + "\n")
        print(
            f"{args.algorithm}: panel of {len(selection.panel)}, min probability "
            f"{result['min_probability']:.7f}, {len(result['distribution'])} panels in the "
            f"lottery, {result['seconds']} s -> {args.output}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
