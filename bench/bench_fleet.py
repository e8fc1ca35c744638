"""A fleet of kiosks reporting to one LRS: many simulated kiosks (the real session record and
the real reporter thread, without Qt) against one local Ralph, restarted in the middle.

Each kiosk records ``--events`` events at an even pace over ``--seconds`` while its reporter
sends them; halfway through, Ralph is stopped for ``--outage`` seconds and started again. Then
every reporter is given until the outbox is empty. Printed: statements per second, delivery lag
(recorded -> confirmed by the LRS) p50/p99, and the exact count stored in Ralph's own file
(nothing lost, nothing doubled). Results go to bench/results_fleet.md.

Ralph's filesystem backend reads its whole file to check ids on every POST, so its cost grows
with what it holds: this measures the kiosk side at fleet scale, not a production LRS.

Usage: ``.venv/bin/python bench/bench_fleet.py [--sessions 200] [--events 100] [--runs 3]``
(``make lrs`` first).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bridge.catalogue import lookup  # noqa: E402
from kiosk.report.lrs import Lrs  # noqa: E402
from kiosk.report.reporter import Reporter  # noqa: E402
from kiosk.session.record import SessionRecord  # noqa: E402
from tests.support.lrs_server import PASSWORD, USER, Ralph  # noqa: E402


def kiosk(folder: Path, events: int, seconds: float, reporter_of: dict[Path, Reporter]) -> None:
    record = SessionRecord(folder)
    record.set_meta(url="https://exam.example.org/quiz/1", report_lrs="bench", ids={})
    spec = lookup(5001)
    pace = seconds / events
    start = time.monotonic()
    for i in range(events):
        t = time.time()
        record.append(t, spec.name, 5001, None, spec.detail(round(t * 1000), n=i))
        reporter_of[folder].nudge()
        time.sleep(max(0.0, start + (i + 1) * pace - time.monotonic()))
    record.end_unmonitored(time.time(), "bench")
    record.shut()


def owed_and_lags(folders: list[Path]) -> tuple[int, list[float]]:
    import sqlite3

    owed, lags = 0, []
    for folder in folders:
        db = sqlite3.connect(folder / "record.sqlite3")
        try:
            owed += db.execute("SELECT COUNT(*) FROM outbox WHERE reported IS NULL").fetchone()[0]
            lags += [
                r - t
                for r, t in db.execute(
                    "SELECT o.reported, e.t FROM outbox o JOIN events e ON e.seq = o.seq"
                    " WHERE o.kind = 'event' AND o.reported IS NOT NULL"
                )
            ]
        finally:
            db.close()
    return owed, lags


@dataclass(frozen=True)
class Run:
    stored: int
    doubled: int
    throughput: float  # statements/s, first event to last confirmed
    p50: float
    p99: float


def run_once(sessions: int, events: int, seconds: float, outage: float) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ralph = Ralph(root / "ralph")
        data = root / "data"
        (data / "sessions").mkdir(parents=True)
        lrs = Lrs(ralph.url, USER, PASSWORD)
        folders = [data / "sessions" / f"k{i:04d}" for i in range(sessions)]
        reporters: dict[Path, Reporter] = {}
        for folder in folders:
            folder.mkdir()
            SessionRecord(folder).shut()  # the registration, before its reporter reads it
            reporters[folder] = Reporter(folder, data / "none", lrs, 50)
        began = time.monotonic()
        for reporter in reporters.values():
            reporter.start()
        kiosks = [
            threading.Thread(target=kiosk, args=(f, events, seconds, reporters)) for f in folders
        ]
        for k in kiosks:
            k.start()
        time.sleep(seconds / 2)
        ralph.stop()
        time.sleep(outage)
        ralph.start()
        for k in kiosks:
            k.join()
        while owed_and_lags(folders)[0]:
            time.sleep(0.5)
        took = time.monotonic() - began
        for reporter in reporters.values():
            reporter.finish(5)
        _, lags = owed_and_lags(folders)
        lines = ralph.stored_lines()
        ralph.stop()
    counts = Counter(s["id"] for s in lines)
    lags.sort()
    return Run(
        stored=len(counts),
        doubled=sum(1 for c in counts.values() if c > 1),
        throughput=len(lines) / took,
        p50=statistics.median(lags),
        p99=lags[min(len(lags) - 1, int(len(lags) * 0.99))],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--outage", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "results_fleet.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the outage's "reports are owed" lines: expected
    runs = []
    for n in range(args.runs):
        runs.append(run_once(args.sessions, args.events, args.seconds, args.outage))
        print(f"run {n + 1}: {runs[-1]}", flush=True)
    expected = args.sessions * args.events

    def med(field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs)

    def spread(field: str, fmt: str) -> str:
        values = [getattr(r, field) for r in runs]
        return f"{format(min(values), fmt)} - {format(max(values), fmt)}"

    table = [
        f"# Fleet benchmark ({time.strftime('%Y-%m-%d')})",
        "",
        f"{args.sessions} simulated kiosks x {args.events} events over {args.seconds:g} s, one "
        f"local Ralph (filesystem backend) stopped for {args.outage:g} s halfway; {args.runs} "
        "runs, each with a fresh Ralph: the median, and the range over the runs.",
        "",
        "| what | median | range |",
        "|---|---|---|",
        f"| statements stored / recorded | {med('stored'):.0f} / {expected} | "
        f"{spread('stored', '.0f')} |",
        f"| stored twice | {med('doubled'):.0f} | {spread('doubled', '.0f')} |",
        f"| throughput, first event to last confirmed (statements/s) | {med('throughput'):.0f} "
        f"| {spread('throughput', '.0f')} |",
        f"| delivery lag p50 (s, includes the outage) | {med('p50'):.2f} "
        f"| {spread('p50', '.2f')} |",
        f"| delivery lag p99 (s) | {med('p99'):.2f} | {spread('p99', '.2f')} |",
        "",
    ]
    text = "\n".join(table)
    args.results.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
