"""What the kiosk costs as a student runs it: ``kiosk run`` on a page that autosaves twice a
second, in paired runs with proctoring off and with every detector on (a camera and a
microphone played from files through the same code as real ones), on this machine's display.

- **launch**: process start to the page receiving ``apMonitoringStarted``, without devices and
  with camera, microphone and face model;
- **proctoring cost**: CPU of the whole process tree (the kiosk and every web engine process)
  with every detector on, minus the same with proctoring off, over the same window, paired;
- **idle**: the kiosk's own process with proctoring off on that quiet page;
- **memory**: PSS of the whole process tree at the end of each window.

Usage: ``.venv/bin/python bench/bench_kiosk.py [--seconds 60] [--runs 5]`` (about
``runs x (2 x seconds + 30)`` seconds); ``make bench`` runs it with the defaults.
``--soak MINUTES [--speed 4]`` runs one exam instead, at that many times the default analysis
rate, and samples PSS every minute: it must stay flat (``make soak``: an hour).
"""

from __future__ import annotations

import argparse
import http.server
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.figures import figure, save  # noqa: E402
from kiosk.platform.x11.xvfb import VirtualDisplay  # noqa: E402

PAGES = REPO / "bench" / "pages"
TICK = os.sysconf("SC_CLK_TCK")
#: After the page is up (and monitoring started), before a window is measured: the engine's
#: start-up work and the first face analyses are not the steady state.
SETTLE_S = 8.0


class BenchServer:
    """Serves bench/pages; notes when the page said monitoring started, and its heartbeats."""

    def __init__(self) -> None:
        self.started: list[float] = []
        self.beats = 0
        self.errors: list[bytes] = []
        self.lock = threading.Condition()
        owner = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(PAGES), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with owner.lock:
                    if self.path == "/started":
                        owner.started.append(time.monotonic())
                    elif self.path == "/beat":
                        owner.beats += 1
                    else:
                        owner.errors.append(body)
                    owner.lock.notify_all()
                self.send_response(204)
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.port = self.httpd.server_address[1]

    def wait(self, what: str, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while (len(self.started) if what == "started" else self.beats) < count:
                assert not self.errors, f"the page reported: {self.errors}"
                left = deadline - time.monotonic()
                assert left > 0, f"no {what} within {timeout} s"
                self.lock.wait(left)


def children_of() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(ppid, []).append(int(entry.name))
    return found


def tree(pid: int) -> list[int]:
    kids, out, todo = children_of(), [], [pid]
    while todo:
        one = todo.pop()
        out.append(one)
        todo.extend(kids.get(one, []))
    return out


def cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))
    return total / 1024


def window(pid: int, seconds: float) -> dict[str, float]:
    """CPU shares of one core (the tree, the kiosk's own process) over ``seconds``, and PSS."""
    before = {p: cpu_s(p) for p in tree(pid)}
    t0 = time.monotonic()
    time.sleep(seconds)
    after = {p: cpu_s(p) for p in tree(pid)}
    wall = time.monotonic() - t0
    spent = 0.0
    for p, now in after.items():
        if now is not None:
            spent += now - (before.get(p) or 0.0)  # a process born in the window: all of it
    own = (after[pid] or 0.0) - (before[pid] or 0.0)
    return {"tree": spent / wall * 100, "own": own / wall * 100, "pss": pss_mb(list(after))}


class Kiosk:
    def __init__(self, folder: Path, display: str) -> None:
        self.folder = folder
        runtime = folder / "runtime"
        runtime.mkdir(mode=0o700, parents=True)
        self.env = {**os.environ, "DISPLAY": display, "XDG_RUNTIME_DIR": str(runtime)}
        if os.geteuid() == 0:  # Chromium's sandbox cannot start as root (docs/platform.md)
            self.env.update(QTWEBENGINE_DISABLE_SANDBOX="1", KIOSK_TEST_ALLOW_UNSAFE_ENGINE="1")
        config = folder / "kiosk.toml"
        config.write_text("[proctoring]\nask_consent = false\n")
        self.config = config

    @contextmanager
    def run(self, url: str, *devices: str) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", url, "--data-dir", str(self.folder / "data"),
             "--config", str(self.config), *devices],
            cwd=REPO, env=self.env, stdout=subprocess.DEVNULL,
            stderr=(self.folder / "kiosk.stderr").open("a"),
        )  # fmt: skip
        try:
            yield proc, started
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def media(folder: Path) -> tuple[Path, Path]:
    """The project's own face fixtures (one face, two faces, nobody) at 30 fps, 640x480, and
    an exam room's sound (room tone, a fan, someone speaking over it), looped by the kiosk."""
    from tests.support.audio import exam_room_wav
    from tests.support.faces import empty_room, one_person, two_people_one_further_back, write_video

    clip = folder / "faces.mp4"
    write_video(clip, [(one_person(), 4.0), (two_people_one_further_back(), 4.0),
                       (empty_room(), 4.0)], fps=30)  # fmt: skip
    wav = folder / "room.wav"
    exam_room_wav(wav)
    return clip, wav


def slope(points: list[tuple[float, float]]) -> float:
    """Least squares: how much y grows per unit of x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def soak(minutes: float, speed: float) -> None:
    """An exam at ``speed`` times the default analysis rate (the camera's file at its own 30
    fps), PSS of the whole tree sampled every minute: it must stay flat."""
    from kiosk.config.settings import ProctorSettings

    display = VirtualDisplay(width=1280, height=800).start()
    server = BenchServer()
    rate = ProctorSettings().analyse_fps * speed
    samples: list[tuple[float, float]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            clip, wav = media(Path(tmp))
            kiosk = Kiosk(Path(tmp) / "soak", display.display)
            kiosk.config.write_text(f"[proctoring]\nask_consent = false\nanalyse_fps = {rate:g}\n")
            url = f"http://127.0.0.1:{server.port}/heartbeat.html?proctoring=1&devices=1"
            devices = ("--camera", str(clip), "--microphone", str(wav))
            with kiosk.run(url, *devices) as (proc, _):
                server.wait("started", 1)
                t0 = time.monotonic()
                for minute in range(int(minutes) + 1):
                    time.sleep(max(0.0, t0 + 60 * minute - time.monotonic()))
                    assert proc.poll() is None, "the kiosk ended during the soak"
                    samples.append((minute, pss_mb(tree(proc.pid))))
                    print(f"minute {minute}: PSS {samples[-1][1]:.0f} MB", flush=True)
    finally:
        server.httpd.shutdown()
        display.stop()
    grow = slope(samples[1:])  # from the first minute on: start-up is not growth
    first, last = samples[1][1], samples[-1][1]
    save(
        "soak",
        f"Memory over a {minutes:g}-minute exam at {speed:g}x the analysis rate",
        [
            figure("PSS of the whole tree, minute 1", [first], "MB", "", 0),
            figure(f"PSS of the whole tree, minute {int(minutes)}", [last], "MB", "", 0),
            figure(
                "PSS growth from minute 1 on (least squares)", [grow], "MB a minute", "< 0.5", 2
            ),
        ],
        notes=f"Every detector on, faces analysed {rate:g} times a second, the page autosaving "
        "twice a second. PSS by minute: " + ", ".join(f"{y:.0f}" for _, y in samples) + " MB.",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--soak", type=float, default=0.0, metavar="MINUTES",
                        help="instead: one exam this long, PSS every minute")  # fmt: skip
    parser.add_argument("--speed", type=float, default=4.0,
                        help="the soak's analysis rate, times the default")  # fmt: skip
    args = parser.parse_args()
    if args.soak:
        soak(args.soak, args.speed)
        return
    display = VirtualDisplay(width=1280, height=800).start()
    server = BenchServer()
    base = f"http://127.0.0.1:{server.port}/heartbeat.html"
    rows: dict[str, list[float]] = {
        k: []
        for k in ("launch bare", "launch devices", "cost", "on", "off", "idle", "pss on", "pss off")
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            clip, wav = media(Path(tmp))
            devices = ("--camera", str(clip), "--microphone", str(wav))
            for run in range(args.runs):
                kiosk = Kiosk(Path(tmp) / f"run{run}", display.display)
                with kiosk.run(f"{base}?proctoring=1&devices=0") as (_, t0):
                    server.wait("started", len(server.started) + 1)
                    rows["launch bare"].append(server.started[-1] - t0)
                with kiosk.run(f"{base}?proctoring=0") as (proc, _):
                    server.wait("beats", server.beats + 2)
                    time.sleep(SETTLE_S)
                    off = window(proc.pid, args.seconds)
                with kiosk.run(f"{base}?proctoring=1&devices=1", *devices) as (proc, t0):
                    server.wait("started", len(server.started) + 1)
                    rows["launch devices"].append(server.started[-1] - t0)
                    time.sleep(SETTLE_S)
                    on = window(proc.pid, args.seconds)
                rows["on"].append(on["tree"])
                rows["off"].append(off["tree"])
                rows["cost"].append(on["tree"] - off["tree"])
                rows["idle"].append(off["own"])
                rows["pss on"].append(on["pss"])
                rows["pss off"].append(off["pss"])
                print(f"run {run + 1}/{args.runs}: " + ", ".join(
                    f"{k} {v[-1]:.2f}" for k, v in rows.items()), flush=True)  # fmt: skip
    finally:
        server.httpd.shutdown()
        display.stop()
    s = f"{args.seconds:g} s windows"
    save("kiosk", f"The kiosk as a student runs it ({args.runs} paired runs, {s})", [
        figure("launch to apMonitoringStarted, no devices", rows["launch bare"], "s", "< 1.0", 2),
        figure("launch to apMonitoringStarted, camera + microphone + face model",
               rows["launch devices"], "s", "< 2.0", 2),
        figure("proctoring cost: whole tree, every detector on minus proctoring off",
               rows["cost"], "% of a core", "< 3"),
        figure("whole tree, every detector on", rows["on"], "% of a core"),
        figure("whole tree, proctoring off (a page autosaving twice a second)", rows["off"],
               "% of a core"),
        figure("idle: the kiosk's own process, proctoring off", rows["idle"], "% of a core",
               "< 0.5", 2),
        figure("memory: PSS of the whole tree, every detector on", rows["pss on"], "MB", "< 350",
               0),
        figure("memory: PSS of the whole tree, proctoring off", rows["pss off"], "MB", "", 0),
    ], notes="Camera: the face fixtures (one face, two faces, nobody) looped at 30 fps, "
       "640x480; microphone: a room's noise; every detector the page can ask for.")  # fmt: skip


if __name__ == "__main__":
    main()
