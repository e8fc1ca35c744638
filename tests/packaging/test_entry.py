"""The bundle's one program answers for ``kiosk`` and for ``python -m kiosk.platform.guardian``
(a bundle has no Python to run ``-m``; the kiosk starts its guardian that way)."""

from __future__ import annotations

import subprocess
import sys

from kiosk.platform.version import VERSION
from tests.support.paths import REPO

ENTRY = str(REPO / "packaging" / "kiosk_entry.py")


def test_the_program_is_the_command_line() -> None:
    done = subprocess.run([sys.executable, ENTRY, "--version"], capture_output=True, text=True,
                          cwd=REPO, timeout=60)  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, f"kiosk {VERSION}")


def test_the_program_is_the_guardian_when_started_as_it() -> None:
    done = subprocess.run([sys.executable, ENTRY, "-m", "kiosk.platform.guardian"],
                          capture_output=True, text=True, cwd=REPO, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "usage: python -m kiosk.platform.guardian" in done.stderr
