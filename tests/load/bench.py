"""``make bench``: the project's performance figures, each printed beside its target.

Figures are functions returning a ``Figure``. This module's own figure is the cold import time
of every handler module; other areas add theirs as ``tests/load/bench_<area>.py`` modules with a
``run(options) -> Figure`` function, which ``main`` discovers and runs after its own.

    python -m tests.load.bench [--runs 5] [--only health] [--strict]
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = REPO_ROOT / "functions"
COLD_IMPORT_TARGET = 1.5  # a handler's cold import, as a multiple of the floor

# The floor: what any function that reads the table pays before its own code runs.
FLOOR_LABEL = "(floor: boto3 + DynamoDB client + pydantic)"
FLOOR_CODE = "import boto3\nboto3.client('dynamodb', region_name='us-east-1')\nimport pydantic"
# Wall time and CPU time of the import, measured inside the fresh process (interpreter start excluded).
_TIMED = (
    "import time\n"
    "wall, cpu = time.perf_counter(), time.process_time()\n"
    "{code}\n"
    "print(time.perf_counter() - wall, time.process_time() - cpu)\n"
)


@dataclass
class BenchOptions:
    runs: int = 5
    only: str | None = None  # a substring of the handler names to measure


@dataclass
class Figure:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    within_target: bool = True

    def render(self) -> str:
        widths = [
            max(len(str(row[i])) for row in (self.columns, *self.rows)) for i in range(len(self.columns))
        ]
        line = "  ".join(f"{{:{'<' if i in (0, len(widths) - 1) else '>'}{w}}}" for i, w in enumerate(widths))
        out = [self.title, "", line.format(*self.columns), line.format(*("-" * w for w in widths))]
        out += [line.format(*row) for row in self.rows]
        return "\n".join([*out, "", *self.notes, ""])


def _run_fresh(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench"}
    env.update(AWS_SECRET_ACCESS_KEY="bench", POWERTOOLS_TRACE_DISABLED="true")
    result = subprocess.run(
        [sys.executable, *flags, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{code!r} failed:\n{result.stderr}")
    return result


def fresh_process_seconds(code: str) -> tuple[float, float]:
    """Run ``code`` in a new interpreter; return its (wall, CPU) seconds, as measured inside it."""
    wall, cpu = _run_fresh(_TIMED.format(code=code)).stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def imported_packages(code: str) -> dict[str, float]:
    """Top-level package -> seconds of import (self time) for what ``code`` imports, from -X importtime."""
    totals: dict[str, float] = {}
    for line in _run_fresh(code, "-X", "importtime").stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.removeprefix("import time:").split("|")
        if not parts[0].strip().isdigit():
            continue  # the header line
        package = parts[2].strip().split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(parts[0]) / 1e6
    return totals


def handler_modules(only: str | None = None) -> list[str]:
    names = sorted(p.stem for p in FUNCTIONS.glob("*.py") if p.stem != "__init__")
    return [n for n in names if only is None or only in n]


def cold_imports(options: BenchOptions) -> Figure:
    """Each handler's cold import beside the floor, measured interleaved so drift hits all alike.

    The ratio uses CPU time: on a shared machine wall time swings with the neighbours' load,
    while an import's CPU work does not. Wall time is shown beside it.
    """
    names = handler_modules(options.only)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in ["(floor)", *names]}
    for _ in range(options.runs):
        samples["(floor)"].append(fresh_process_seconds(FLOOR_CODE))
        for name in names:
            samples[name].append(fresh_process_seconds(f"import functions.{name}"))

    def medians(name: str) -> tuple[float, float]:
        walls = [wall for wall, _ in samples[name]]
        cpus = [cpu for _, cpu in samples[name]]
        return statistics.median(walls), statistics.median(cpus)

    floor_wall, floor_cpu = medians("(floor)")
    floor_packages = imported_packages(FLOOR_CODE)
    rows: list[tuple[str, ...]] = [
        (FLOOR_LABEL, f"{floor_cpu * 1000:.0f}", f"{floor_wall * 1000:.0f}", "1.00", "1.00", "")
    ]
    over = []
    for name in names:
        wall, cpu = medians(name)
        ratio = cpu / floor_cpu
        verdict = ""
        if ratio > COLD_IMPORT_TARGET:
            over.append(name)
            added = imported_packages(f"import functions.{name}")
            extra = sorted(((t, pkg) for pkg, t in added.items() if pkg not in floor_packages), reverse=True)
            verdict = "OVER; adds " + ", ".join(f"{pkg} {t * 1000:.0f}ms" for t, pkg in extra[:3])
        rows.append(
            (
                name,
                f"{cpu * 1000:.0f}",
                f"{wall * 1000:.0f}",
                f"{ratio:.2f}",
                f"{wall / floor_wall:.2f}",
                verdict,
            )
        )
    notes = [
        f"Target: every handler <= {COLD_IMPORT_TARGET}x the floor (CPU time). "
        + (f"{len(over)} over: {', '.join(over)}" if over else f"all {len(names)} within."),
    ]
    return Figure(
        f"Cold import of each handler module (fresh process, median of {options.runs})",
        ("handler", "CPU ms", "wall ms", "x floor (CPU)", "x floor (wall)", ""),
        rows,
        notes,
        within_target=not over,
    )


FIGURES: list[Callable[[BenchOptions], Figure]] = [cold_imports]


def area_figures() -> list[Callable[[BenchOptions], Figure]]:
    """``run`` of every ``tests/load/bench_*.py`` module, in name order."""
    found = []
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        module = importlib.import_module(f"tests.load.{path.stem}")
        run = getattr(module, "run", None)
        if callable(run):
            found.append(run)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per measurement (median)")
    parser.add_argument("--only", help="measure only handlers whose name contains this")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    args = parser.parse_args(argv)
    options = BenchOptions(runs=max(args.runs, 1), only=args.only)
    missed = []
    for figure_function in [*FIGURES, *area_figures()]:
        figure = figure_function(options)
        print(figure.render(), flush=True)
        if not figure.within_target:
            missed.append(figure.title)
    if missed:
        print("Missed their targets: " + "; ".join(missed))
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
