"""What a benchmark found, kept as data: each bench script saves its figures here
(``bench/out/NAME.json``), and ``bench/report.py`` writes them all into ``bench/results.md``
and the README's performance table, so no figure is ever typed by hand.

A figure is the median over several runs with its spread (the lowest and highest run), the
unit, and the goal where there is one: the table says whether it was met.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


@dataclass(frozen=True)
class Figure:
    what: str
    median: float
    low: float
    high: float
    unit: str
    runs: int
    #: "< 3" (lower is better) or "> 4" (higher is better); "" where there is no goal.
    goal: str = ""
    digits: int = 1

    def met(self) -> bool | None:
        if not self.goal:
            return None
        sign, bound = self.goal.split()
        return self.median < float(bound) if sign == "<" else self.median > float(bound)

    def cell(self, value: float) -> str:
        return f"{value:.{self.digits}f}"

    def row(self) -> str:
        spread = f"{self.cell(self.low)} - {self.cell(self.high)}" if self.runs > 1 else "-"
        goal = ""
        if self.goal:
            goal = f"{self.goal} {self.unit}: " + ("met" if self.met() else "**not met**")
        return (f"| {self.what} | {self.cell(self.median)} {self.unit} | {spread} | "
                f"{self.runs} | {goal} |")  # fmt: skip


def figure(what: str, values: Sequence[float], unit: str, goal: str = "",
           digits: int = 1) -> Figure:  # fmt: skip
    """The median of ``values`` (one per run) and their spread."""
    clean = [v for v in values if not math.isnan(v)]
    if not clean:
        return Figure(what, math.nan, math.nan, math.nan, unit, 0, goal, digits)
    return Figure(what, statistics.median(clean), min(clean), max(clean), unit, len(clean),
                  goal, digits)  # fmt: skip


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def save(name: str, title: str, figures: list[Figure], notes: str = "") -> Path:
    """Keeps a bench's figures for the report; prints its table too."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    data = {"title": title, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "figures": [asdict(f) for f in figures], "notes": notes}  # fmt: skip
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(table([Figure(**f) for f in data["figures"]]))  # type: ignore[arg-type]
    return path


HEADER = "| what | median | spread (runs) | runs | goal |\n|---|---|---|---|---|"


def table(figures: list[Figure]) -> str:
    return "\n".join([HEADER, *(f.row() for f in figures)])
