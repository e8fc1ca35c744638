"""The command line: a contract that launchers, tests and other programs rely on.

Exit codes: 0 normal quit; 2 bad usage, URL, configuration or unsafe engine setting;
3 the web engine or the display could not start; 4 the display connection was lost during the
run (kiosk/platform/x11/display_lost.py); 5 another kiosk of this user is running and was
handed the TARGET (kiosk/launch/single_instance.py); 6 no OS keyring keeps secrets safely
(kiosk/platform/secrets.py). Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from kiosk import __version__
from kiosk.launch.single_instance import HandedOver, Instance
from kiosk.platform.errors import KioskExit, UsageError, one_line

PROG = "kiosk"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _device_options(parser: argparse.ArgumentParser) -> None:
    """The configuration file and the devices: a run's, and what `doctor` checks."""
    parser.add_argument("--config", metavar="FILE", type=Path, help="TOML configuration file")
    parser.add_argument(
        "--camera",
        metavar="SRC",
        help="device index (default 0), a video file (plays in real time, loops), or 'none'",
    )
    parser.add_argument(
        "--microphone",
        metavar="SRC",
        help="'default', a device name or index, a WAV file (real time, loops), or 'none'",
    )


def _run_options(run: argparse.ArgumentParser) -> None:
    """The options of a run: `run` takes them, and `config show` shows what they make."""
    run.add_argument(
        "--verbose",
        action="store_true",
        help="the engine's and Qt's own messages on the terminal too (else: DATA/kiosk.log)",
    )
    _device_options(run)
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
    _run_options(run)
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
    config = commands.add_parser(
        "config",
        help="show the configuration a run would use",
        description="Configurations: the built-in defaults, the --config file, the exam's own "
        "configuration (.seb), the command line and the managed policy, whose keys are locked.",
    )
    config_commands = config.add_subparsers(
        dest="config_command", metavar="CONFIG_COMMAND", required=True
    )
    show = config_commands.add_parser(
        "show",
        help="print the effective configuration, where each value comes from, what is locked",
        description="Print every setting a run with these arguments would use, where its value "
        "came from (default, file, seb, command line, managed) and whether the managed policy "
        "locks it. A .seb TARGET's password is asked as `seb inspect` asks it.",
    )
    show.add_argument("target", metavar="TARGET", nargs="?", help="as for run (optional)")
    _run_options(show)
    show.add_argument("--json", action="store_true", help="one JSON list instead of text")
    secret = commands.add_parser(
        "secret",
        help="keep the credentials kiosk needs in the OS keyring",
        description="Credentials (a report server's, a client certificate's) live in the OS "
        "keyring, and a configuration refers to them by name. The value is asked on the "
        "terminal, or read from standard input's first line.",
    )
    secret_commands = secret.add_subparsers(
        dest="secret_command", metavar="SECRET_COMMAND", required=True
    )
    for name, what in (("set", "store (or replace) a secret"), ("delete", "remove a secret")):
        one = secret_commands.add_parser(name, help=what, description=what.capitalize() + ".")
        one.add_argument("name", metavar="NAME", help="letters, digits, '.', '_', '-'")
    secret_commands.add_parser("list", help="the names of the stored secrets")
    report = commands.add_parser(
        "report",
        help="the statements sent to the school's learning record store",
        description="Every recorded event and decision is an xAPI statement for the LRS that "
        "[report] lrs names (docs/xapi.md).",
    )
    report_commands = report.add_subparsers(
        dest="report_command", metavar="REPORT_COMMAND", required=True
    )
    flush = report_commands.add_parser(
        "flush",
        help="send whatever any session still owes, then exit (1 when something still is)",
        description="Close the sessions a killed kiosk left open, send every statement the "
        "sessions in the data folder still owe, then exit: 0 when nothing is owed, 1 when the "
        "LRS is still unreachable.",
    )
    check = report_commands.add_parser(
        "verify",
        help="check a session's statements in the LRS: all there, signed by this installation",
        description="Fetch what the LRS holds of SESSION (a folder name from `kiosk sessions`) "
        "and check it against the session's record and this installation's signing key (or "
        "--public-key): exit 1 when a statement is missing, doubled, unsigned or altered.",
    )
    check.add_argument("session", metavar="SESSION")
    check.add_argument("--public-key", metavar="PEM", type=Path, help="the key to check with")
    report_commands.add_parser(
        "key", help="this installation's public signing key (PEM), for the school to pin"
    )
    show = report_commands.add_parser(
        "show",
        help="write a session's review: one HTML file, timeline, score, photos, decisions",
        description="Write one self-contained HTML file (it loads nothing, not even a font) of "
        "SESSION: the timeline with each violation episode, the trust score per code, the "
        "evidence photos beside their events, the lockdown's decisions and the setup.",
    )
    show.add_argument("session", metavar="SESSION")
    show.add_argument(
        "-o", "--output", metavar="FILE.html", type=Path, help="default: SESSION.html here"
    )
    sessions = commands.add_parser(
        "sessions", help="the sessions on this computer: time, exam, trust score, reports"
    )
    sessions.add_argument(
        "--purge",
        action="store_true",
        help="first delete the sessions whose reports were confirmed [report] keep_days ago",
    )
    for one in (flush, check, show, sessions):
        one.add_argument("--data-dir", metavar="DIR", type=Path, help="as for run")
        one.add_argument("--config", metavar="FILE", type=Path, help="as for run")
    session = commands.add_parser(
        "session",
        help="the kiosk login session's program: opens the managed policy's session.start_url",
        description="What the kiosk's own login session runs (packaging/linux: an X session "
        "whose only client is the kiosk): the exam the managed policy names in "
        "session.start_url, as `kiosk run` would open it.",
    )
    session.add_argument("--verbose", action="store_true", help="as for run")
    doctor = commands.add_parser(
        "doctor",
        help="check this computer before an exam",
        description="Check the display, the web engine's sandbox, the camera and the face "
        "model, the microphone, the monitors, the keyring, the link handlers and the managed "
        "policy, as the kiosk would at setup: one line each, ok, warning or problem, with what "
        "to do. Exit 1 when any is a problem.",
    )
    _device_options(doctor)
    doctor.add_argument(
        "--gui",
        action="store_true",
        help="show the checks in a window, with a live camera picture and a microphone meter",
    )
    demo = commands.add_parser(
        "demo",
        help="run the bundled demo exam",
        description="Serve the bundled demo exam locally and open it in the kiosk. Without a "
        "display it runs under Xvfb (or offscreen), prints every event and saves a screenshot.",
    )
    demo.add_argument("--verbose", action="store_true", help="as for run")
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


def _session_run(args: argparse.Namespace) -> argparse.Namespace:
    """``kiosk session`` is ``kiosk run`` of the managed policy's start_url."""
    from kiosk.config.managed import load_managed, policy_files

    start = load_managed().values.get("session", {}).get("start_url")
    if not start:
        where = ", ".join(map(str, policy_files())) or "/etc/kiosk/policy.toml"
        raise UsageError(f"the kiosk session opens session.start_url, which {where} does not set")
    run = ["run", "--verbose", "--", start] if args.verbose else ["run", "--", start]
    return build_parser().parse_args(run)


def _runs(args: argparse.Namespace, instance: Instance) -> int:
    """One run after another in this process: the next one when the LMS served the exam's
    configuration after its login page (the exam starts from that file, on a fresh profile,
    as SEB does when it is reconfigured), or when a second launch handed its exam over."""
    from detectors.compositor import probe_compositor
    from kiosk.launch.resolve import resolve

    compositor = probe_compositor(os.environ)  # before any web engine: none of its children yet
    quieted = False
    while True:
        opts = resolve(args, os.environ, _settings_password, compositor)  # usage errors before Qt
        opts = dataclasses.replace(opts, instance=instance.socket)
        if not (quieted or args.verbose):
            from kiosk.platform import logs

            logs.quiet(opts.data_dir)
            quieted = True
        from kiosk.app import KioskApp
        from kiosk.launch.qapplication import make_qapplication

        app = KioskApp(make_qapplication(), opts)
        code, served = app.run(), app.next_target
        app.dispose()
        del app
        gc.collect()  # nothing of this run may die inside the next one's engine callbacks
        if served is None:
            return code
        args.target = served


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
        if args.command == "config":
            from kiosk.launch.config_show import show

            print(show(args))
            return 0
        if args.command == "secret":
            from kiosk.launch.secret_command import run

            print(run(args.secret_command, getattr(args, "name", None)))
            return 0
        if args.command in ("report", "sessions"):
            from kiosk.report import command as report_cmd

            data_dir, report_settings = report_cmd.configured(
                getattr(args, "config", None), getattr(args, "data_dir", None)
            )
            if args.command == "sessions":
                if args.purge:
                    print("\n".join(report_cmd.purged(data_dir, report_settings)))
                print("\n".join(report_cmd.list_sessions(data_dir)))
                return 0
            if args.report_command == "key":
                print(report_cmd.public_key(None).strip())
                return 0
            if args.report_command == "show":
                print(report_cmd.show(data_dir, args.session, args.output))
                return 0
            if args.report_command == "verify":
                key = report_cmd.public_key(args.public_key, parsed=True)
                code, lines = report_cmd.verify(data_dir, report_settings, args.session, key)
            else:
                code, lines = report_cmd.flush(data_dir, report_settings)
            print("\n".join(lines), file=sys.stdout if code == 0 else sys.stderr)
            return code
        if args.command == "doctor":
            from kiosk.launch import doctor as doctor_mod

            checked, config = doctor_mod.examine(args.config, args.camera, args.microphone)
            print(doctor_mod.as_table(checked), flush=True)
            if args.gui:
                from kiosk.ui.doctor_window import show as show_doctor

                show_doctor(checked, config)
            return doctor_mod.exit_code(checked)
        if args.command == "demo":
            from kiosk.demo import run_demo

            return run_demo(verbose=args.verbose)
        if args.command == "session":
            args = _session_run(args)
        from kiosk.launch import single_instance
        from kiosk.launch.target import parse_target

        parse_target(args.target)  # a bad one is this launch's usage error, not the other's
        instance = single_instance.claim()  # held, with its lock, until the last run ends
        if instance is None:
            raise single_instance.hand_over(args.target)
        try:
            return _runs(args, instance)
        finally:
            instance.release()
    except HandedOver as exc:  # not an error: what the running kiosk answered
        print(f"{PROG}: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KioskExit as exc:
        print(f"{PROG}: error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
