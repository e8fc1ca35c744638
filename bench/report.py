"""Writes ``bench/results.md`` from what the bench scripts saved (``bench/out/*.json``, see
bench/figures.py), and puts its summary table into the README between the two marker lines, so
the README quotes the measurements instead of retyping them.

Usage: ``.venv/bin/python bench/report.py`` (``make bench`` runs it last).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.figures import HEADER, OUT, Figure  # noqa: E402

RESULTS = REPO / "bench" / "results.md"
README = REPO / "README.md"
START, END = "<!-- bench:summary -->", "<!-- /bench:summary -->"
#: The order the sections are shown in; a bench not listed comes after them.
ORDER = ["kiosk", "events", "soak", "faces", "detectors"]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())  # fmt: skip
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    system = platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
    from PyQt6.QtCore import QT_VERSION_STR
    from PyQt6.QtWebEngineCore import qWebEngineChromiumVersion

    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GB; {system}, Linux "
            f"{platform.release()}; Python {platform.python_version()}, Qt {QT_VERSION_STR}, "
            f"Chromium {qWebEngineChromiumVersion()}")  # fmt: skip


def sections() -> list[dict]:
    found = {p.stem: json.loads(p.read_text()) for p in sorted(OUT.glob("*.json"))}
    names = [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]
    return [{"name": n, **found[n]} for n in names]


def summary(parts: list[dict]) -> str:
    """Every figure that has a goal, then the rest of the kiosk's: the README's table."""
    figures = [Figure(**f) for part in parts for f in part["figures"]]
    return "\n".join([HEADER, *(f.row() for f in figures if f.goal)])


def main() -> None:
    parts = sections()
    if not parts:
        raise SystemExit("bench/out holds no results: run the bench scripts first (make bench)")
    out = ["# Benchmark results", "",
           f"Written by `make bench` on {time.strftime('%Y-%m-%d', time.gmtime())}. Machine: "
           f"{machine()}. Medians over the runs; the spread is the lowest and the highest run.",
           "", "## Summary: every figure with a goal", "", summary(parts)]  # fmt: skip
    for part in parts:
        out += ["", f"## {part['title']}", "", f"`bench/out/{part['name']}.json`, measured "
                f"{part['when']}.", ""]  # fmt: skip
        out.append("\n".join([HEADER, *(Figure(**f).row() for f in part["figures"])]))
        if part["notes"]:
            out += ["", part["notes"]]
    RESULTS.write_text("\n".join(out) + "\n")
    readme = README.read_text()
    if START in readme and END in readme:
        head, rest = readme.split(START, 1)
        _, tail = rest.split(END, 1)
        README.write_text(f"{head}{START}\n{summary(parts)}\n{END}{tail}")
    print(f"wrote {RESULTS.relative_to(REPO)} and the README's summary")


if __name__ == "__main__":
    main()
