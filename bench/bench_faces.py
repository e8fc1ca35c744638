"""Which BlazeFace model, at what cost: the numbers behind the choices in detectors/faces.py.

Prints markdown tables: per-frame latency at 640x480 for both models; faces found on each test
fixture; the size from which each model finds the person further back (the basis of
FAR_SCALE in tests/support/faces.py); and the head-yaw spread of frontal and turned faces (the
basis of LOOKING_MAX_YAW). Needs the fetched models (``make setup``) and scikit-image.

Usage: ``.venv/bin/python bench/bench_faces.py [--frames 200] [--runs 3]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import skimage.color  # noqa: E402
import skimage.data  # noqa: E402

from detectors.faces import (  # noqa: E402
    LOOKING_MAX_YAW,
    MODEL_FILES,
    FaceDetector,
    default_model_dir,
)
from tests.support import faces as fx  # noqa: E402

MODELS = {"short-range": "face_detection_short_range.tflite"}
MODELS["full-range sparse"] = "face_detection_full_range_sparse.tflite"
assert set(MODELS.values()) == set(MODEL_FILES)
SIZE = (640, 480)
DEFAULT_CONFIDENCE = 0.5  # FaceDetector's and the kiosk's default min_confidence


def latency(det: FaceDetector, frames: int, runs: int) -> tuple[float, float]:
    """Median and p95 in ms over ``runs`` runs of ``frames`` frames, after a warm-up."""
    frame = fx.one_person(SIZE)
    for _ in range(20):
        det.detect(frame)
    samples = []
    for _ in range(runs):
        for _ in range(frames):
            start = time.perf_counter()
            det.detect(frame)
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), float(np.percentile(samples, 95))


def far_scale_sweep(det: FaceDetector) -> dict[float, int]:
    """Faces found on two-people with the second person at several scales."""
    return {
        scale: len(det.detect(fx._two_people(SIZE, scale, (0, 0))))
        for scale in (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0)
    }


def far_jitter(det: FaceDetector) -> tuple[int, int, float, float]:
    """The fixture's second person moved by up to 6 px: (found, placements, min, max score)."""
    steps = (-6, -3, 0, 3, 6)
    scores = []
    for dy in steps:
        for dx in steps:
            found = det.detect(fx._two_people(SIZE, fx.FAR_SCALE, (dy, dx)))
            far = [f.score for f in found if f.box[0] > 0.6]  # upper right
            scores.append(max(far, default=0.0))
    hits = sum(s >= DEFAULT_CONFIDENCE for s in scores)
    return hits, len(scores), min(scores), max(scores)


def yaw_spread(det: FaceDetector) -> dict[str, list[float]]:
    """|yaw| of every face found in three sets: frontal astronauts, LFW faces, turned heads."""
    width, height = SIZE
    sets: dict[str, list[float]] = {"astronaut (frontal)": [], "LFW faces": [], "cameraman": []}
    astronaut = skimage.data.astronaut()
    for side in (300, 380, 480):
        for left in (0, 80, 160):
            for mirror in (False, True):
                frame = fx.empty_room(SIZE)
                image = fx._resize(astronaut, side, side)
                fx._paste(frame, image[:, ::-1] if mirror else image, height - side, left)
                sets["astronaut (frontal)"] += [abs(f.yaw) for f in det.detect(frame)]
    for face in skimage.data.lfw_subset()[:100]:  # the first 100 are faces, the rest are not
        frame = np.full((height, width, 3), 128, np.uint8)
        fx._paste(frame, skimage.color.gray2rgb(fx._resize(face * 255, 200, 200)), 140, 220)
        sets["LFW faces"] += [abs(f.yaw) for f in det.detect(frame)]
    camera = skimage.color.gray2rgb(skimage.data.camera())
    for top, bottom, left, right in ((0, 512, 0, 512), (20, 400, 60, 440), (40, 340, 100, 400),
                                     (60, 300, 140, 380)):  # fmt: skip
        for mirror in (False, True):
            frame = fx.empty_room(SIZE)
            image = fx._resize(camera[top:bottom, left:right], height, height)
            fx._paste(frame, image[:, ::-1] if mirror else image, 0, (width - height) // 2)
            sets["cameraman"] += [abs(f.yaw) for f in det.detect(frame)]
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    fixtures = {
        "one person": fx.one_person(SIZE),
        "two, one further back": fx.two_people_one_further_back(SIZE),
        "empty room": fx.empty_room(SIZE),
        "turned away": fx.turned_away(SIZE),
    }
    rows, sweeps, jitters, spreads = [], {}, {}, {}
    for label, name in MODELS.items():
        with FaceDetector(default_model_dir() / name) as det:
            median, p95 = latency(det, args.frames, args.runs)
            counts = []
            for frame in fixtures.values():
                found = det.detect(frame)
                looking = sum(f.looking for f in found)
                counts.append(f"{len(found)} ({looking} looking)")
            turned = det.detect(fixtures["turned away"])
            yaw = f"{turned[0].yaw:+.2f}" if turned else "-"
            rows.append(f"| {label} | {' / '.join(counts)} | {yaw} | {median:.1f} | {p95:.1f} |")
            sweeps[label] = far_scale_sweep(det)
            spreads[label] = yaw_spread(det)
        with FaceDetector(default_model_dir() / name, min_confidence=0.2) as low:
            jitters[label] = far_jitter(low)  # scores below 0.5 too, to see the margin

    print(f"## Per model, {SIZE[0]}x{SIZE[1]}, {args.runs} x {args.frames} frames after warm-up\n")
    print(f"| model | faces found ({' / '.join(fixtures)}) | turned yaw | median ms | p95 ms |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))

    scales = list(next(iter(sweeps.values())))
    print(f"\n## Faces found on two-people by the far person's scale (fixture: {fx.FAR_SCALE})\n")
    print("| model | " + " | ".join(f"{s:g} (~{s * 93:.0f} px)" for s in scales) + " |")
    print("|---|" + "---|" * len(scales))
    for label, found in sweeps.items():
        print(f"| {label} | " + " | ".join(str(found[s]) for s in scales) + " |")

    print(f"\n## The fixture's second person (scale {fx.FAR_SCALE}) moved by up to +-6 px\n")
    print(f"| model | found at >= {DEFAULT_CONFIDENCE} | best score: min | max |")
    print("|---|---|---|---|")
    for label, (hits, total, low, high) in jitters.items():
        print(f"| {label} | {hits}/{total} | {low:.2f} | {high:.2f} |")

    print(f"\n## |yaw| spread (looking when <= LOOKING_MAX_YAW = {LOOKING_MAX_YAW})\n")
    print("| model | set | faces | median | p95 | max | min | not looking |")
    print("|---|---|---|---|---|---|---|---|")
    for label, sets in spreads.items():
        for name, values in sets.items():
            if not values:
                print(f"| {label} | {name} | 0 | - | - | - | - | - |")
                continue
            v = np.array(values)
            print(
                f"| {label} | {name} | {len(v)} | {np.median(v):.2f} | "
                f"{np.percentile(v, 95):.2f} | {v.max():.2f} | {v.min():.2f} | "
                f"{int((v > LOOKING_MAX_YAW).sum())} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
