"""The suite runs on the real stack: QtWebEngine on a private Xvfb with openbox, real servers.

Set up here, before any QApplication exists:
- as root (CI), Chromium's sandbox cannot start; it is turned off explicitly, test-only;
- HOME and XDG_* point at a temporary folder, so nothing touches the real user's files
  (except the face models, read from the user cache where `make` put them);
- a private X display with a window manager (focus and fullscreen only exist with one);
- QtWebEngineWidgets is imported (through kiosk.platform.qt) before pytest-qt creates the
  QApplication.
"""

from __future__ import annotations

import gc
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

if os.geteuid() == 0:
    os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
# A test machine (which may itself be virtual: CI's is) lets its own settings through, and
# every kiosk of the suite says so in its record.
os.environ["KIOSK_TEST_ALLOW_UNSAFE_ENGINE"] = "1"

# The face models are the checkout's shared ones (make put them there): the suite runs as a
# user with a fresh HOME, and finds them as every user of the checkout does.

_home = Path(tempfile.mkdtemp(prefix="kiosk-test-home-"))
os.environ["HOME"] = str(_home)
for _var, _sub in (
    ("XDG_DATA_HOME", "data"),
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_RUNTIME_DIR", "runtime"),
):
    (_home / _sub).mkdir(mode=0o700)
    os.environ[_var] = str(_home / _sub)
for _var in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "QTWEBENGINE_CHROMIUM_FLAGS"):
    os.environ.pop(_var, None)
# The kiosk refuses a proxy from the environment (a CI machine's own proxy would stop every
# end-to-end run); the suite's servers are all on this computer.
from policies.engine import PROXY_VARIABLES  # noqa: E402

for _var in PROXY_VARIABLES:
    os.environ.pop(_var, None)

from kiosk.platform.x11.xvfb import VirtualDisplay  # noqa: E402

_display = VirtualDisplay(width=1280, height=800).start()
os.environ["DISPLAY"] = _display.display

import kiosk.platform.qt  # noqa: E402, F401  (QtWebEngineWidgets before the QApplication)
from tests.support.lrs_server import Ralph  # noqa: E402
from tests.support.pulse import PrivatePulse, PulseError  # noqa: E402
from tests.support.server import ReportServer  # noqa: E402
from tests.support.strict import fail_on_logged_trouble  # noqa: E402, F401  (autouse)


def pytest_unconfigure(config: pytest.Config) -> None:
    _display.stop()


@pytest.fixture(scope="session")
def display() -> VirtualDisplay:
    assert _display.has_window_manager, "openbox is needed for focus tests (make setup)"
    return _display


@pytest.fixture(scope="session")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ralph]:
    """One real Ralph LRS for the suite; each session's statements are told apart by its
    registration."""
    lrs = Ralph(tmp_path_factory.mktemp("ralph"))
    yield lrs
    lrs.stop()


@pytest.fixture(scope="session")
def server() -> Iterator[ReportServer]:
    srv = ReportServer()
    yield srv
    srv.close()


@pytest.fixture
def run_id() -> str:
    return secrets.token_hex(6)


@pytest.fixture(scope="module")
def pulse() -> Iterator[PrivatePulse]:
    """A private PulseAudio whose null sink's monitor is the default microphone."""
    server = PrivatePulse()
    try:
        server.start()
    except PulseError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A folder anyone may enter: a file's own mode is then the only barrier (for the tests
    that check, as an unprivileged process, what the operating system denies)."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-world-"))
    folder.chmod(0o755)
    yield folder
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


_engine: list[object] = []


def _start_the_engine_without_the_network_gate(qapp: object) -> None:
    """The network gate's flags hold for a whole process, and this one loads pages from many
    origins: the engine starts here, once, without them (the end-to-end tests check the gate)."""
    if _engine:
        return
    from kiosk.enforcement import network_gate
    from kiosk.platform.qt import QObject, QWebEngineProfile

    assert isinstance(qapp, QObject)
    _engine.append(QWebEngineProfile(qapp))
    network_gate.engine_started_elsewhere()


@pytest.fixture
def web_engine(qapp: object) -> object:
    """The web engine started in this process (as make_kiosk starts it): for a test's own view."""
    _start_the_engine_without_the_network_gate(qapp)
    return qapp


@pytest.fixture
def make_kiosk(qapp: object, tmp_path: Path) -> Iterator[Callable[..., object]]:
    """A real KioskApp in this test process (window, bridge, session, record), torn down after.

    ``make_kiosk(url, config=None, *, camera=None, autostart=False, show=True, seb=None,
    awaiting_configuration=False)``:
    windowed, no microphone, its record under ``tmp_path/data`` and its event log at
    ``tmp_path/events.jsonl``.
    """
    from detectors.sources import CameraSource, MicrophoneSource
    from kiosk.app import KioskApp
    from kiosk.config.settings import KioskConfig
    from kiosk.launch.options import RunOptions
    from kiosk.launch.seb_launch import SebLaunch
    from kiosk.platform.qt import QApplication, QCoreApplication, QEvent
    from policies.engine import decide

    assert isinstance(qapp, QApplication)
    _start_the_engine_without_the_network_gate(qapp)
    made: list[KioskApp] = []

    def make(
        url: str,
        config: KioskConfig | None = None,
        *,
        camera: CameraSource | None = None,
        autostart: bool = False,
        show: bool = True,
        seb: SebLaunch | None = None,
        awaiting_configuration: bool = False,
    ) -> KioskApp:
        opts = RunOptions(
            url=url,
            config=config or KioskConfig(),
            camera=camera or CameraSource("none"),
            microphone=MicrophoneSource("none"),
            data_dir=tmp_path / "data",
            event_log=tmp_path / "events.jsonl",
            autostart=autostart,
            fullscreen=False,
            engine=decide({}),
            seb=seb,
            awaiting_configuration=awaiting_configuration,
            test_machine=True,
        )
        app = KioskApp(qapp, opts)
        made.append(app)
        if show:
            app.show()
        return app

    yield make
    for app in made:
        app.teardown()
        app.deleteLater()
    # Every Qt object of these kiosks dies here, at a known point, not in a later test.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    made.clear()
    gc.collect()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.support.tally import ESCAPES

    if ESCAPES.attempts:
        terminalreporter.write_sep("=", ESCAPES.summary())
