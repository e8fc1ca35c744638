"""The command line: a contract that launchers, tests and other programs rely on.

Exit codes: 0 normal quit; 2 bad usage, URL, configuration or unsafe engine setting;
3 the web engine or the display could not start. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from kiosk import __version__
from kiosk.platform.errors import KioskExit, UsageError

PROG = "kiosk"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A lockdown exam browser with on-device proctoring.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run = commands.add_parser(
        "run",
        help="open an exam URL in the kiosk",
        description="Open TARGET fullscreen in the kiosk and proctor the session.",
    )
    run.add_argument("target", metavar="TARGET", help="the exam's http(s) URL")
    run.add_argument("--config", metavar="FILE", type=Path, help="TOML configuration file")
    run.add_argument(
        "--camera",
        metavar="SRC",
        help="device index (default 0), a video file (plays in real time, loops), or 'none'",
    )
    run.add_argument(
        "--microphone",
        metavar="SRC",
        help="'default', a device name or index, a WAV file (real time, loops), or 'none'",
    )
    run.add_argument("--data-dir", metavar="DIR", type=Path, help="where session records go")
    run.add_argument(
        "--event-log", metavar="FILE", type=Path, help="JSON Lines log of dispatched events"
    )
    run.add_argument(
        "--autostart",
        action="store_true",
        default=None,
        help="run setup and start when the first page loads, stop on quit",
    )
    run.add_argument(
        "--windowed",
        action="store_true",
        default=None,
        help="development only: do not go fullscreen",
    )
    commands.add_parser(
        "demo",
        help="run the bundled demo exam",
        description="Serve the bundled demo exam locally and open it in the kiosk. Without a "
        "display it runs under Xvfb (or offscreen), prints every event and saves a screenshot.",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    from kiosk.platform import logs

    logs.setup()
    try:
        args = build_parser().parse_args(argv)
        if args.command == "demo":
            from kiosk.demo import run_demo

            return run_demo()
        from kiosk.launch.resolve import resolve

        opts = resolve(args, os.environ)
        from kiosk.app import KioskApp
        from kiosk.launch.qapplication import make_qapplication

        return KioskApp(make_qapplication(), opts).run()
    except KioskExit as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
