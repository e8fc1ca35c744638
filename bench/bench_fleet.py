"""A fleet of kiosks reporting to one LRS: many simulated kiosks (the real session record and
the real reporter thread, without Qt) against one local Ralph, restarted in the middle.

Each kiosk records ``--events`` events at an even pace over ``--seconds`` while its reporter
sends them; halfway through, Ralph is stopped for ``--outage`` seconds and started again. Then
every reporter is given until the outbox is empty. Printed: statements per second, delivery lag
(recorded -> confirmed by the LRS) p50/p99, and the exact count stored in Ralph's own file
(nothing lost, nothing doubled). Results go to bench/results_fleet.md.

Ralph's filesystem backend reads its whole file to check ids on every POST, so its cost grows
with what it holds: this measures the kiosk side at fleet scale, not a production LRS.

Usage: ``.venv/bin/python bench/bench_fleet.py [--sessions 50] [--events 100] [--seconds 30]``
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--outage", type=float, default=5.0)
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "results_fleet.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the outage's "reports are owed" lines: expected
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ralph = Ralph(root / "ralph")
        data = root / "data"
        (data / "sessions").mkdir(parents=True)
        lrs = Lrs(ralph.url, USER, PASSWORD)
        folders = [data / "sessions" / f"k{i:04d}" for i in range(args.sessions)]
        reporters: dict[Path, Reporter] = {}
        for folder in folders:
            folder.mkdir()
            SessionRecord(folder).shut()  # the registration, before its reporter reads it
            reporters[folder] = Reporter(folder, data / "none", lrs, 50)
        began = time.monotonic()
        for reporter in reporters.values():
            reporter.start()
        kiosks = [
            threading.Thread(target=kiosk, args=(f, args.events, args.seconds, reporters))
            for f in folders
        ]
        for k in kiosks:
            k.start()
        time.sleep(args.seconds / 2)
        ralph.stop()
        time.sleep(args.outage)
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
    expected = args.sessions * args.events
    lags.sort()
    p50 = statistics.median(lags)
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    doubled = sum(1 for c in counts.values() if c > 1)
    table = [
        f"# Fleet benchmark ({time.strftime('%Y-%m-%d')})",
        "",
        f"{args.sessions} simulated kiosks x {args.events} events over {args.seconds:g} s, one "
        f"local Ralph (filesystem backend) stopped for {args.outage:g} s halfway.",
        "",
        "| what | figure |",
        "|---|---|",
        f"| statements stored / recorded | {len(counts)} / {expected} |",
        f"| stored twice | {doubled} |",
        f"| throughput, first event to last confirmed | {len(lines) / took:.0f} statements/s |",
        f"| delivery lag p50 / p99 (includes the outage) | {p50:.2f} s / {p99:.2f} s |",
        "",
    ]
    text = "\n".join(table)
    args.results.write_text(text)
    print(text)
    if len(counts) != expected or doubled:
        raise SystemExit("statements were lost or doubled")


if __name__ == "__main__":
    main()
