"""What the detectors cost together at default settings: CPU share of one core, memory added.

Runs the real camera pipeline (a video file played in real time, faces analysed at the default
rate with the default model) and the real microphone pipeline (a WAV played in real time) in
this process for a while, several times, and reports medians. The CPU share is process CPU time
over wall time while both run; memory is the resident set added by loading and running them.

Usage: ``.venv/bin/python bench/bench_detectors.py [--seconds 20] [--runs 3]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from detectors.camera import CameraCapture, FacesSeen  # noqa: E402
from detectors.faces import FaceDetector  # noqa: E402
from detectors.microphone import AudioLevel, MicrophoneDetector  # noqa: E402
from detectors.sources import CameraSource, MicrophoneSource  # noqa: E402
from kiosk.config.settings import ProctorSettings  # noqa: E402
from tests.support.audio import RATE, noise, write_wav  # noqa: E402
from tests.support.faces import one_person, write_video  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(clip: Path, wav: Path, seconds: float) -> tuple[float, float, int, int]:
    settings = ProctorSettings()
    faces: list[FacesSeen] = []
    levels: list[AudioLevel] = []
    before = rss_mb()
    detector = FaceDetector(settings.face_model, min_confidence=settings.min_face_confidence)
    camera = CameraCapture(
        CameraSource("file", path=clip), faces.append, analyse_fps=settings.analyse_fps,
        detector=detector,
    )  # fmt: skip
    mic = MicrophoneDetector(MicrophoneSource("file", path=wav), levels.append)
    camera.open()
    mic.open()
    cpu0, wall0 = time.process_time(), time.monotonic()
    camera.start()
    mic.start()
    time.sleep(seconds)
    cpu1, wall1 = time.process_time(), time.monotonic()
    added = rss_mb() - before
    camera.stop()
    mic.stop()
    detector.close()
    return (cpu1 - cpu0) / (wall1 - wall0), added, len(faces), len(levels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "one.mp4"
        write_video(clip, [(one_person(), 10.0)], fps=30)  # a 30 fps camera, 640x480
        wav = write_wav(Path(tmp) / "room.wav", noise(10.0, -45.0, hum_hz=120.0), RATE)
        runs = [one_run(clip, wav, args.seconds) for _ in range(args.runs)]
    cpu = statistics.median(r[0] for r in runs)
    cold = runs[0][1]
    warm = statistics.median(r[1] for r in runs[1:]) if len(runs) > 1 else float("nan")
    print(f"| detectors at default settings ({args.runs} runs x {args.seconds:g} s) | median |")
    print("|---|---|")
    print(f"| CPU, share of one core (camera 30 fps decode + faces at 4/s + microphone) "
          f"| {cpu * 100:.1f} % |")  # fmt: skip
    print(f"| memory added, first run (loads OpenCV, mediapipe, PortAudio) | {cold:.0f} MB |")
    print(f"| memory added, later runs (median) | {warm:.0f} MB |")
    print(f"| face analyses / audio blocks per run | {runs[-1][2]} / {runs[-1][3]} |")


if __name__ == "__main__":
    main()
