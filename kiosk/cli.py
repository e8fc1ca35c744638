"""The command line: a contract that launchers, tests and other programs rely on.

Exit codes: 0 normal quit; 2 bad usage, URL, configuration or unsafe engine setting;
3 the web engine or the display could not start; 4 the display connection was lost during the
run (kiosk/platform/x11/display_lost.py). Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from kiosk import __version__
from kiosk.platform.errors import KioskExit, UsageError, one_line

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
    run.add_argument(
        "target",
        metavar="TARGET",
        help="the exam's http(s) URL, a seb://, sebs://, kiosk:// or kiosks:// link, or a .seb "
        "file",
    )
    run.add_argument(
        "--untrusted-args",
        action="store_true",
        help="what a desktop's link handler runs: exactly one TARGET follows, and nothing "
        "after it is read as an option",
    )
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
    seb = commands.add_parser(
        "seb",
        help="read Safe Exam Browser configurations",
        description="Safe Exam Browser configurations (.seb files and seb:// links).",
    )
    seb_commands = seb.add_subparsers(dest="seb_command", metavar="SEB_COMMAND", required=True)
    inspect = seb_commands.add_parser(
        "inspect",
        help="show a configuration's settings, keys and what kiosk makes of them",
        description="Print the decoded settings, the Config Key, the Browser Exam Key, what "
        "kiosk applies and every key it does not support. A password is asked on the "
        "terminal, or read from standard input when that is not a terminal.",
    )
    inspect.add_argument("source", metavar="FILE|LINK", help="a .seb file or a seb(s):// link")
    inspect.add_argument("--json", action="store_true", help="one JSON object instead of text")
    commands.add_parser(
        "demo",
        help="run the bundled demo exam",
        description="Serve the bundled demo exam locally and open it in the kiosk. Without a "
        "display it runs under Xvfb (or offscreen), prints every event and saves a screenshot.",
    )
    return parser


UNTRUSTED = "--untrusted-args"


def _untrusted(argv: list[str]) -> list[str]:
    """``run --untrusted-args LINK``: the link comes from a web page; it can never be an option."""
    at = argv.index(UNTRUSTED)
    rest = argv[at + 1 :]
    if argv[:at] != ["run"] or len(rest) != 1 or not rest[0] or rest[0].startswith("-"):
        raise UsageError(
            f"{UNTRUSTED} takes exactly one link or file after 'run {UNTRUSTED}', and nothing "
            "that starts with '-'"
        )
    return ["run", "--", rest[0]]


def _settings_password(left: int) -> str | None:
    """The exam's settings password, asked in the kiosk's own dialog."""
    from kiosk.launch.qapplication import make_qapplication

    make_qapplication()
    from kiosk.ui.password_dialog import ask_settings_password

    return ask_settings_password(left)


def main(argv: list[str] | None = None) -> int:
    from kiosk.platform import logs

    logs.setup()
    try:
        argv = sys.argv[1:] if argv is None else argv
        if UNTRUSTED in argv:
            argv = _untrusted(argv)
        args = build_parser().parse_args(argv)
        if args.command == "seb":
            from kiosk.launch.seb_inspect import inspect, terminal_password

            ask, tries = terminal_password()
            found = inspect(args.source, ask, tries)
            print(json.dumps(found.as_json(), ensure_ascii=False) if args.json else found.as_text())
            return 0
        if args.command == "demo":
            from kiosk.demo import run_demo

            return run_demo()
        from kiosk.launch.resolve import resolve

        while True:
            opts = resolve(args, os.environ, _settings_password)  # usage errors before Qt
            from kiosk.app import KioskApp
            from kiosk.launch.qapplication import make_qapplication

            app = KioskApp(make_qapplication(), opts)
            code, served = app.run(), app.reconfigure_with
            app.dispose()
            del app
            gc.collect()  # nothing of this run may die inside the next one's engine callbacks
            if served is None:
                return code
            # The LMS served the exam's configuration after its login page: the exam starts
            # from that file, on a fresh profile, as SEB does when it is reconfigured.
            args.target = str(served)
    except KioskExit as exc:
        print(f"{PROG}: error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
