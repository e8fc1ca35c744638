"""What the lockdown costs: the application-wide key filter, and a whole-screen capture.

The key filter sees every event of the process, so its cost per event is measured as a ratio
to delivering the same event with no filter installed (medians over several runs, each of many
events): for an event that is no key, a typed key, and a refused chord. The capture taken at a
switch away (captureSwitchedTab) is measured as the median time to grab the whole screen and
store it as private evidence, on a private 1280x800 Xvfb.

Usage: ``.venv/bin/python bench/bench_lockdown.py [--events 5000] [--runs 7]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kiosk.platform.x11.xvfb import VirtualDisplay  # noqa: E402


def per_event_ns(send: object, events: int, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        for _ in range(events):
            send()  # type: ignore[operator]
        samples.append((time.perf_counter_ns() - start) / events)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    display = VirtualDisplay(window_manager=False).start()
    os.environ["DISPLAY"] = display.display
    os.environ.pop("QT_QPA_PLATFORM", None)
    from detectors.screen_capture import capture_screen, to_bgr
    from kiosk.enforcement.input_filter import KeyFilter
    from kiosk.platform.qt import QApplication, QEvent, QKeyEvent, Qt, QWidget
    from kiosk.session.evidence import EvidenceStore
    from policies.keys import KeyPolicy

    qapp = QApplication(["bench"])
    widget = QWidget()
    widget.show()
    decided: list[object] = []
    cases = {
        "no key (QEvent.User)": lambda: QEvent(QEvent.Type.User),
        "typed key (x)": lambda: QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier, "x"
        ),
        "refused chord (Ctrl+W)": lambda: QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier, "w"
        ),
    }
    print("| event | without filter (ns) | with filter (ns) | ratio |")
    print("|---|---|---|---|")
    for name, make in cases.items():
        event = make()
        send = lambda e=event: QApplication.sendEvent(widget, e)  # noqa: E731
        bare = per_event_ns(send, args.events, args.runs)
        keys = KeyFilter(qapp, lambda: [widget], KeyPolicy(), lambda *a: decided.append(a))
        filtered = per_event_ns(send, args.events, args.runs)
        keys.remove()
        print(f"| {name} | {bare:.0f} | {filtered:.0f} | {filtered / bare:.1f}x |")

    with tempfile.TemporaryDirectory() as folder:
        store = EvidenceStore(Path(folder), capacity=10_000)
        grab, total = [], []
        for _ in range(args.runs * 3):
            start = time.perf_counter()
            image = capture_screen()
            grabbed = time.perf_counter()
            store.save(to_bgr(image), "bench", time.time())
            grab.append(grabbed - start)
            total.append(time.perf_counter() - start)
        print()
        print("| whole-screen capture, 1280x800 | median (ms) | p95 (ms) |")
        print("|---|---|---|")
        for name, values in (("grab", grab), ("grab + private JPEG", total)):
            p95 = statistics.quantiles(values, n=20)[-1]
            print(f"| {name} | {statistics.median(values) * 1000:.1f} | {p95 * 1000:.1f} |")
    widget.close()
    display.stop()


if __name__ == "__main__":
    main()
