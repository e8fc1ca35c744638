"""The installed kiosk's program (PyInstaller's entry point): the command line, and the one
helper the kiosk starts as ``sys.executable -m kiosk.platform.guardian`` (a bundle has no
Python to run ``-m``, so the bundle's own program answers for it)."""

from __future__ import annotations

import sys


def run() -> int:
    if sys.argv[1:3] == ["-m", "kiosk.platform.guardian"]:
        from kiosk.platform import guardian

        return guardian.main(sys.argv[2:])  # [module, marker], as -m would give it
    from kiosk.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(run())
