"""A run starts quietly: the engine's and Qt's noise go to DATA/kiosk.log, not the terminal."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.support.process import KioskProcess
from tests.support.server import ReportServer

Start = Callable[..., KioskProcess]

#: What Chromium and Qt say here on every start (no GPU, no Vulkan, no system D-Bus).
NOISE = re.compile(r"vulkan|Vulkan|GPU|dbus|ERROR:")


def test_the_terminal_gets_the_kiosks_lines_and_the_log_the_engines(
    kiosk: Start, server: ReportServer, run_id: str
) -> None:
    proc = kiosk(server.exam_url(run_id, "setup,start,sleep300,stop,close"))
    assert proc.wait(30) == 0, proc.stderr()
    log = (proc.data_dir / "kiosk.log").read_text()
    assert NOISE.search(log), log  # the witness: there was noise, and it went here
    assert not NOISE.search(proc.stderr()), proc.stderr()


def test_verbose_keeps_it_all_on_the_terminal(
    kiosk: Start, server: ReportServer, run_id: str
) -> None:
    proc = kiosk(server.exam_url(run_id, "setup,start,sleep300,stop,close"), "--verbose")
    assert proc.wait(30) == 0, proc.stderr()
    assert NOISE.search(proc.stderr()), proc.stderr()
    assert not (proc.data_dir / "kiosk.log").exists()
