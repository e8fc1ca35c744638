"""Which running programs are not allowed during the exam, and which give someone else the
screen (a remote session), with Safe Exam Browser's semantics.

A program is known by every name it goes by (detectors/processes.py): a rule names a program
as SEB's ``prohibitedProcesses`` do, case-insensitively and without ``.exe`` or ``.app``, so a
``.seb`` written for Windows ("TeamViewer.exe") finds the same program on Linux. The kernel
cuts a process's own name to 15 bytes: a longer rule matches that cut too.

The rules are the maintained default list (screen recorders, remote control, messengers and
meetings, automation that drives a browser or types for the student), the school's and the
``.seb``'s own; a permitted name (SEB's ``permittedProcesses``, the school's) and a permitted
assistive tool (a screen reader, a magnifier, an on-screen keyboard) are never prohibited,
whatever a list says. Remote control is decided as a remote session, the rest as prohibited
programs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

Level = Literal["block", "warn", "off"]

PROHIBITED_AT_SETUP = 4103
PROHIBITED_EVIDENCE = 5105
REMOTE_AT_SETUP = 4102
REMOTE_EVIDENCE = 5104

REMOTE = "remote control"
DEFAULT_PROHIBITED: Mapping[str, tuple[str, ...]] = {
    "screen recorder": (
        "obs", "simplescreenrecorder", "kazam", "vokoscreen", "vokoscreenng", "recordmydesktop",
        "gtk-recordmydesktop", "peek", "kooha", "gpu-screen-recorder", "wf-recorder",
        "green-recorder", "blue-recorder", "screenstudio",
    ),
    REMOTE: (
        "teamviewer", "teamviewerd", "anydesk", "rustdesk", "x11vnc", "x0vncserver", "xvnc",
        "vncserver", "krfb", "vino-server", "xrdp", "xrdp-sesman", "chrome-remote-desktop-host",
        "nxserver", "nxnode", "parsecd", "dwagent", "meshagent", "splashtop", "remmina",
        "vncviewer", "xtigervncviewer", "krdc", "xfreerdp", "wlfreerdp",
    ),
    "messenger or meeting": (
        "discord", "slack", "telegram-desktop", "signal-desktop", "skypeforlinux", "zoom",
        "teams", "teams-for-linux", "element-desktop", "whatsdesk", "ferdium", "franz",
        "rambox", "caprine", "wire-desktop", "mattermost-desktop", "webcord", "vesktop",
    ),
    "automation": (
        # what keeps running: a one-shot command (xdotool) is gone before a look finds it
        "chromedriver", "geckodriver", "msedgedriver", "operadriver", "ydotoold",
        "autokey-gtk", "autokey-qt", "actiona",
    ),
}  # fmt: skip
#: What assistive technology runs as: permitted unless a school's list says otherwise.
ASSISTIVE_TOOLS = ("orca", "onboard", "speech-dispatcher", "espeak-ng", "at-spi-bus-launcher",
                   "at-spi2-registryd", "brltty", "xbrlapi", "kmag", "kmousetool", "caribou",
                   "florence", "magnus", "gnome-magnifier")  # fmt: skip
COMM_BYTES = 15


class Process(Protocol):
    @property
    def pid(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def uid(self) -> int: ...
    @property
    def names(self) -> tuple[str, ...]: ...
    def as_detail(self) -> dict[str, object]: ...


def normal(name: str) -> str:
    name = name.strip().lower()
    for suffix in (".exe", ".app"):
        name = name.removesuffix(suffix)
    return name


@dataclass(frozen=True)
class Rules:
    """Name -> the category it is prohibited as; and the names that never are."""

    prohibited: Mapping[str, str]
    permitted: frozenset[str]

    @classmethod
    def of(
        cls, extra: Iterable[str], permitted: Iterable[str], assistive: Iterable[str],
        use_default: bool = True,
    ) -> Rules:  # fmt: skip
        rules: dict[str, str] = {}
        if use_default:
            for category, names in DEFAULT_PROHIBITED.items():
                rules.update(dict.fromkeys(names, category))
        for name in extra:
            rules.setdefault(normal(name), "on the exam's list")
        allowed = frozenset(normal(n) for n in (*permitted, *assistive))
        return cls({name: c for name, c in rules.items() if name not in allowed}, allowed)

    def category_of(self, process: Process) -> str | None:
        names = {normal(n) for n in process.names}
        if names & self.permitted:
            return None
        for name in names:
            if name in self.prohibited:
                return self.prohibited[name]
        for rule, category in self.prohibited.items():  # the kernel's cut of a long name
            if len(rule) > COMM_BYTES and rule[:COMM_BYTES] in names:
                return category
        return None


@dataclass(frozen=True)
class Found:
    process: Process
    category: str

    @property
    def remote(self) -> bool:
        return self.category == REMOTE

    def as_detail(self) -> dict[str, object]:
        return {**self.process.as_detail(), "category": self.category}


def find(processes: Iterable[Process], rules: Rules) -> list[Found]:
    found = []
    for process in processes:
        category = rules.category_of(process)
        if category is not None:
            found.append(Found(process, category))
    return sorted(found, key=lambda f: f.process.pid)


def remote_display(env: Mapping[str, str]) -> list[str]:
    """Evidence in the environment that this display is not the computer's own screen: X
    over SSH (a display on a host, as ``ssh -X`` sets), an RDP session's markers."""
    evidence = []
    display = env.get("DISPLAY", "")
    host = display.rsplit(":", 1)[0] if ":" in display else ""
    if host and host != "unix" and not host.startswith("/"):
        evidence.append(f"DISPLAY={display}: a display on {host}, not this computer's screen")
    for marker in ("XRDP_SESSION", "XRDP_SOCKET_PATH"):
        if env.get(marker):
            evidence.append(f"{marker}={env[marker]}: an xrdp session")
    return evidence


@dataclass(frozen=True)
class SetupVerdict:
    proceed: bool
    code: int | None
    why: str
    checks: dict[str, object]
    at_start: list[tuple[int, dict[str, object]]]  # (code, detail) when monitoring starts


def decide_setup(
    found: list[Found], display_evidence: list[str], prohibited: Level, remote: Level
) -> SetupVerdict:
    """At setup: a remote session (4102), then prohibited programs (4103), refuse under block
    with what to close; under warn they are evidence once monitoring starts."""
    remotes = [f for f in found if f.remote] if remote != "off" else []
    others = [f for f in found if not f.remote] if prohibited != "off" else []
    checks: dict[str, object] = {
        "remoteSession": {"display": display_evidence, "programs": [f.as_detail() for f in remotes]}
        if remote != "off" else "not checked",
        "prohibitedProcesses": [f.as_detail() for f in others]
        if prohibited != "off" else "not checked",
    }  # fmt: skip
    if remote == "block" and (display_evidence or remotes):
        said = [*display_evidence, *(_named(f) for f in remotes)]
        return SetupVerdict(False, REMOTE_AT_SETUP, "a remote session: " + "; ".join(said),
                            checks, [])  # fmt: skip
    if prohibited == "block" and others:
        why = "close these programs first: " + ", ".join(_named(f) for f in others)
        return SetupVerdict(False, PROHIBITED_AT_SETUP, why, checks, [])
    at_start: list[tuple[int, dict[str, object]]] = []
    if remote == "warn" and (display_evidence or remotes):
        programs = [f.as_detail() for f in remotes]
        at_start.append((REMOTE_EVIDENCE, {"display": display_evidence, "programs": programs}))
    if prohibited == "warn":
        at_start += [(PROHIBITED_EVIDENCE, {**f.as_detail(), "running": "before the exam"})
                     for f in others]  # fmt: skip
    return SetupVerdict(True, None, "", checks, at_start)


def _named(found: Found) -> str:
    detail = found.process.as_detail()
    return f"{detail['name']} (pid {detail['pid']}, {found.category})"


def during_exam(found: Found, prohibited: Level, remote: Level) -> int | None:
    """The evidence code of a program started during the exam (None: not a finding)."""
    if found.remote:
        return REMOTE_EVIDENCE if remote != "off" else None
    return PROHIBITED_EVIDENCE if prohibited != "off" else None


def may_end(found: Found, my_uid: int, mine: Iterable[int]) -> bool:
    """Whether the kiosk may end it: the student's own program only, never a system one (another
    user's) nor the kiosk itself or what led to it."""
    return found.process.uid == my_uid and found.process.pid not in set(mine)
