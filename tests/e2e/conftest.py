from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.process import KioskProcess


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Callable[..., KioskProcess]]:
    started: list[KioskProcess] = []

    def start(
        url: str,
        *extra: str,
        env: dict[str, str] | None = None,
        name: str = "",
        runtime: Path | None = None,
    ) -> KioskProcess:
        folder = tmp_path / (name or f"run{len(started)}")
        folder.mkdir()
        proc = KioskProcess(folder, url, *extra, env=env, runtime=runtime)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()
    for proc in started:
        proc.assert_clean()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def face_clip(media_dir: Path) -> Path:
    """Four seconds of one person looking at the screen."""
    from tests.support.faces import one_person, write_video

    path = media_dir / "one-person.mp4"
    write_video(path, [(one_person(), 4.0)])
    return path


#: The exam scene, in seconds of clip time: (what the camera sees, start, end).
SCENE = [
    ("one person", 0, 7),
    ("empty room", 7, 13),
    ("two people", 13, 19),
    ("one person", 19, 24),
]
SPEECH = (14.0, 18.0)  # speech over the fan, in seconds of audio time


@pytest.fixture(scope="session")
def scene_clip(media_dir: Path) -> Path:
    from tests.support.faces import empty_room, one_person, two_people_one_further_back, write_video

    frames = {
        "one person": one_person(),
        "empty room": empty_room(),
        "two people": two_people_one_further_back(),
    }
    path = media_dir / "scene.mp4"
    write_video(path, [(frames[name], end - start) for name, start, end in SCENE])
    return path


@pytest.fixture(scope="session")
def scene_wav(media_dir: Path) -> Path:
    """A fan running the whole time (steady: not a violation), someone speaking over it."""
    import numpy as np

    from tests.support.audio import RATE, mix, noise, speech, write_wav

    fan = noise(24.0, -45.0, hum_hz=120.0, seed=3)
    words = speech("Psst. The answer to question two is Paris. Write it down quickly.", -22.0)
    words = words[: round((SPEECH[1] - SPEECH[0]) * RATE)]
    voice = np.concatenate([np.zeros(round(SPEECH[0] * RATE), np.float32), words])
    return write_wav(media_dir / "scene.wav", mix(fan, voice), RATE)


@pytest.fixture
def program(tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    """Starts a real program named ``name`` (comm, file and argv[0] all say it): this computer's
    ``sleep``, or ``xdotool sleep`` for a program connected to the display."""
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str, on_display: bool = False) -> subprocess.Popen[bytes]:
        path = tmp_path / "bin" / name
        path.parent.mkdir(exist_ok=True)
        shutil.copy(shutil.which("xdotool" if on_display else "sleep") or "/bin/sleep", path)
        proc = subprocess.Popen([str(path), *(["sleep"] if on_display else []), "120"])
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()
        proc.wait()
