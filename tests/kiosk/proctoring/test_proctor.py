"""The device steps of setup(): every permission and device error from a real trigger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from detectors.sources import CameraSource, MicrophoneSource
from kiosk.config.settings import ProctorSettings
from kiosk.proctoring.proctor import Proctor
from kiosk.proctoring.sensors import DeviceSensors
from kiosk.session.evidence import EvidenceStore
from kiosk.session.ports import SetupFailure
from kiosk.session.tracking import TrackingOptions
from tests.support.audio import noise, write_wav
from tests.support.paths import REPO

RATE = 16000
CAMERA_AND_MIC = TrackingOptions(numHumans=True, audio=True)


def proctor(
    tmp_path: Path,
    camera: CameraSource,
    microphone: MicrophoneSource,
    url: str = "http://127.0.0.1:8000/exam",
    consent: bool = True,
    asked: list[list[str]] | None = None,
) -> Proctor:
    def ask(devices: list[str]) -> bool:
        if asked is not None:
            asked.append(devices)
        return consent

    sensors = DeviceSensors(camera, microphone, ProctorSettings(), lambda _: None)
    store = EvidenceStore(tmp_path / "evidence", ProctorSettings().photo_capacity)
    return Proctor(sensors, ProctorSettings(), store, url, ask)


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "room.wav", noise(0.5, -40), RATE)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"a file standing in for a video: check() only asks the OS about it")
    return path


def test_nothing_requested_means_no_device_is_touched(tmp_path: Path) -> None:
    p = proctor(tmp_path, CameraSource("none"), MicrophoneSource("none"), consent=False)
    checks = p.check(TrackingOptions(tabSwitch=True))
    assert checks == {"camera": "not requested", "microphone": "not requested"}


def test_granted_after_consent(tmp_path: Path, wav: Path, clip: Path) -> None:
    asked: list[list[str]] = []
    p = proctor(tmp_path, CameraSource("file", path=clip), MicrophoneSource("file", path=wav),
                asked=asked)  # fmt: skip
    assert p.check(CAMERA_AND_MIC) == {"camera": "granted", "microphone": "granted"}
    assert asked == [["camera", "microphone"]]
    p.release()


def test_declined_consent_is_4004(tmp_path: Path, wav: Path) -> None:
    p = proctor(tmp_path, CameraSource("none"), MicrophoneSource("file", path=wav), consent=False)
    with pytest.raises(SetupFailure) as failure:
        p.check(TrackingOptions(audio=True))
    assert failure.value.code == 4004
    assert "declined" in failure.value.message
    assert p.microphone is None  # released: the student may retry


def test_an_insecure_exam_url_is_4004_before_any_device_opens(tmp_path: Path, wav: Path) -> None:
    asked: list[list[str]] = []
    p = proctor(tmp_path, CameraSource("none"), MicrophoneSource("file", path=wav),
                url="http://exam.example.org/quiz", asked=asked)  # fmt: skip
    with pytest.raises(SetupFailure) as failure:
        p.check(TrackingOptions(audio=True))
    assert failure.value.code == 4004
    assert "secure context" in failure.value.message
    assert asked == [] and p.microphone is None


@pytest.mark.parametrize(
    ("options", "code"),
    [(TrackingOptions(numHumans=True), 4010), (TrackingOptions(audio=True), 4009)],
)
def test_no_device_at_all(tmp_path: Path, options: TrackingOptions, code: int) -> None:
    p = proctor(tmp_path, CameraSource("none"), MicrophoneSource("none"))
    with pytest.raises(SetupFailure) as failure:
        p.check(options)
    assert failure.value.code == code


def test_a_camera_index_on_a_computer_without_cameras(tmp_path: Path) -> None:
    """This machine has no video device: any index means no camera at all (4010). A stray
    folder named like one (something on this machine once made /dev/video*) is none."""
    from detectors.camera import video_devices

    assert video_devices() == []
    p = proctor(tmp_path, CameraSource("device", index=0), MicrophoneSource("none"))
    with pytest.raises(SetupFailure) as failure:
        p.check(TrackingOptions(numHumans=True))
    assert failure.value.code == 4010


_CHECK_AS_NOBODY = """
import json, os, sys
from pathlib import Path
from kiosk.config.settings import ProctorSettings
from kiosk.proctoring.proctor import Proctor
from kiosk.proctoring.sensors import DeviceSensors
from kiosk.session.evidence import EvidenceStore
from kiosk.session.ports import SetupFailure
from detectors.sources import CameraSource, MicrophoneSource
from kiosk.session.tracking import TrackingOptions
if os.geteuid() == 0:  # root may read anything: drop to nobody after the imports
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
camera, mic, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sensors = DeviceSensors(
    CameraSource("file", path=Path(camera)), MicrophoneSource("file", path=Path(mic)),
    ProctorSettings(), lambda _: None,
)
store = EvidenceStore(Path(sys.argv[4]) / "evidence", 30)
p = Proctor(sensors, ProctorSettings(), store, "http://127.0.0.1/", lambda _: True)
try:
    print(json.dumps({"uid": os.getuid(), "checks": p.check(TrackingOptions(**options))}))
except SetupFailure as exc:
    print(json.dumps({"uid": os.getuid(), "code": exc.code, "message": exc.message}))
"""


def check_as_unprivileged(
    camera: Path, mic: Path, options: dict[str, Any], out: Path
) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _CHECK_AS_NOBODY, str(camera), str(mic), json.dumps(options),
         str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if os.geteuid() == 0:
        assert answer["uid"] == 65534
    return answer


@pytest.mark.parametrize(
    ("locked", "options", "code"),
    [
        ({"camera"}, {"numHumans": True}, 4002),
        ({"microphone"}, {"audio": True}, 4003),
        ({"camera", "microphone"}, {"numHumans": True, "audio": True}, 4006),
    ],
)
def test_the_operating_system_denies_access(
    world_dir: Path, locked: set[str], options: dict[str, Any], code: int
) -> None:
    camera = world_dir / "clip.mp4"
    camera.write_bytes(b"stand-in video")
    mic = write_wav(world_dir / "room.wav", noise(0.3, -40), RATE)
    for path in (camera, mic):
        path.chmod(0o644)
    control = check_as_unprivileged(camera, mic, options, world_dir)
    assert "checks" in control, control  # readable files: granted
    for name in locked:
        (camera if name == "camera" else mic).chmod(0o000)
    answer = check_as_unprivileged(camera, mic, options, world_dir)
    assert answer.get("code") == code, answer
