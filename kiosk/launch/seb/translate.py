"""What kiosk makes of a Safe Exam Browser configuration's keys.

Each key SEB defines is either applied (turned into kiosk's own configuration, with a line
saying how), met by construction (kiosk always does what the key asks, whatever the file
says), or unsupported: listed with its value, in ``kiosk seb inspect``, the session record and
the 2001 detail, never silently dropped. Where SEB and kiosk differ, kiosk keeps the stricter
behaviour and says so in ``applied``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.platform.errors import UsageError

#: sebConfigPurpose: what the file is for.
START_EXAM, CONFIGURE_CLIENT = 0, 1
#: clipboardPolicy (SEB 3): 0 allow, 1 block, 2 isolated.
_CLIPBOARD = {0: "allow", 1: "block", 2: "isolated"}

#: Keys whose value changes nothing in kiosk, with what kiosk does whatever they say.
MET_BY_CONSTRUCTION: dict[str, str] = {
    "originatorVersion": "not part of the settings (left out of the Config Key too)",
    "examSessionClearCookiesOnStart": "every session starts on a fresh, off-the-record profile",
    "examSessionClearCookiesOnEnd": "nothing of the session's profile outlives it",
    "allowSpellCheck": "the exam never has a spell checker",
    "allowBrowsingBackForward": "back and forward are refused (keys, mouse buttons)",
    "enableBrowserWindowToolbar": "the exam window has no toolbar",
    "browserWindowShowURL": "the exam window shows no address",
    "allowPDFReaderToolbar": "PDFs do not open in a viewer",
    "enablePlugIns": "plug-ins are off",
    "allowFlashFullscreen": "there is no Flash",
    "enableJava": "there is no Java",
    "enableRightMouse": "the page's context menu is refused unless policy.context_menu",
    "showTaskBar": "the exam is fullscreen over everything",
    "showMenuBar": "the exam is fullscreen over everything",
    "touchOptimized": "a desktop kiosk",
    "enablePrivateClipboard": "see clipboardPolicy",
}


@dataclass
class Translation:
    """A configuration, read as kiosk's: the exam URL, kiosk's own settings, and an account of
    every key."""

    url: str | None = None
    purpose: int = START_EXAM
    policy: dict[str, Any] = field(default_factory=dict)
    applied: dict[str, str] = field(default_factory=dict)
    unsupported: dict[str, Any] = field(default_factory=dict)
    send_keys: bool = False
    exam_key_salt: bytes = b""
    report: dict[str, Any] = field(default_factory=dict)  # kiosk's [report], from kioskReport
    computer: dict[str, Any] = field(default_factory=dict)  # kiosk's [computer]

    @property
    def starts_exam(self) -> bool:
        return self.purpose == START_EXAM


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise UsageError(f"SEB setting {key}: {value!r} is not a boolean")
    return value


def _int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"SEB setting {key}: {value!r} is not a whole number")
    return value


def _str(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise UsageError(f"SEB setting {key}: {value!r} is not text")
    return value


def _start_url(t: Translation, value: Any) -> None:
    t.url = _str(value, "startURL").strip() or None
    t.applied["startURL"] = f"the exam opens {t.url}" if t.url else "no start URL"


def _purpose(t: Translation, value: Any) -> None:
    t.purpose = _int(value, "sebConfigPurpose")
    what = {START_EXAM: "starts an exam", CONFIGURE_CLIENT: "configures the client only"}
    t.applied["sebConfigPurpose"] = what.get(t.purpose, f"unknown purpose {t.purpose}")


def _quit_url(t: Translation, value: Any) -> None:
    url = _str(value, "quitURL").strip()
    t.applied["quitURL"] = "no quit URL"
    if url:
        t.policy["quit_url"] = url
        t.applied["quitURL"] = f"reaching {url} stops the session and quits"


def _quit_password(t: Translation, value: Any) -> None:
    hashed = _str(value, "hashedQuitPassword").strip()
    t.applied["hashedQuitPassword"] = "no quit password"
    if hashed:
        t.policy["quit_password_hash"] = hashed.lower()
        t.applied["hashedQuitPassword"] = "the quit password ends a running exam"


def _allow_quit(t: Translation, value: Any) -> None:
    if _bool(value, "allowQuit"):
        t.applied["allowQuit"] = (
            "quitting is allowed; during monitoring only with the quit password (kiosk is "
            "stricter than SEB, which asks no password when none is set)"
        )
    else:
        t.policy["quit_password_hash"] = None
        t.applied["allowQuit"] = "no quitting during the exam, except through the quit URL"


def _url_filter(t: Translation, settings: dict[str, Any]) -> None:
    enabled = _bool(settings.get("URLFilterEnable", False), "URLFilterEnable")
    rules = settings.get("URLFilterRules", [])
    if not isinstance(rules, list):
        raise UsageError("SEB setting URLFilterRules: not a list of rules")
    if not enabled:
        # SEB without a filter loads anything; kiosk does too, through one allow-all rule.
        t.policy["url_filter"] = [{"expression": "*", "action": "allow"}]
        t.applied["URLFilterEnable"] = "off: any http(s) page may load, as in SEB"
        if "URLFilterRules" in settings:
            t.applied["URLFilterRules"] = "ignored: the filter is off"
        return
    converted = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict) or not isinstance(rule.get("expression"), str):
            raise UsageError(f"SEB setting URLFilterRules[{i}]: not a rule with an expression")
        action = _int(rule.get("action", 0), f"URLFilterRules[{i}].action")
        converted.append(
            {
                "expression": rule["expression"],
                "action": "allow" if action == 1 else "block",
                "regex": _bool(rule.get("regex", False), f"URLFilterRules[{i}].regex"),
                "active": _bool(rule.get("active", True), f"URLFilterRules[{i}].active"),
            }
        )
    t.policy["url_filter"] = converted
    t.applied["URLFilterEnable"] = "on: every frame and request goes through the filter"
    t.applied["URLFilterRules"] = f"{len(converted)} rule(s), block rules first, as in SEB"


def _clipboard(t: Translation, value: Any) -> None:
    mode = _CLIPBOARD.get(_int(value, "clipboardPolicy"))
    if mode is None:
        raise UsageError(f"SEB setting clipboardPolicy: {value!r} is not 0, 1 or 2")
    t.policy["clipboard"] = mode
    t.applied["clipboardPolicy"] = f"clipboard {mode}"


def _displays(t: Translation, value: Any) -> None:
    allowed = _int(value, "allowedDisplaysMaxNumber")
    t.policy["multiple_monitors"] = "block" if allowed <= 1 else "off"
    t.applied["allowedDisplaysMaxNumber"] = (
        "one monitor: more fail setup (4015)" if allowed <= 1 else f"up to {allowed} monitors"
    )


def _print_screen(t: Translation, value: Any) -> None:
    t.applied["enablePrintScreen"] = (
        "screenshot keys are refused" + ("" if not _bool(value, "enablePrintScreen") else
        " all the same (kiosk is stricter than SEB here)")
    )  # fmt: skip


def _downloads(t: Translation, value: Any) -> None:
    allowed = _bool(value, "allowDownUploads")
    t.policy["downloads"] = allowed
    t.policy["uploads"] = allowed
    t.applied["allowDownUploads"] = "downloads and uploads " + ("allowed" if allowed else "refused")


def _policy_flag(key: str, option: str, says: str) -> Callable[[Translation, Any], None]:
    def apply(t: Translation, value: Any) -> None:
        on = _bool(value, key)
        t.policy[option] = on
        t.applied[key] = f"{says} " + ("allowed" if on else "refused")

    return apply


def _send_keys(t: Translation, value: Any) -> None:
    t.send_keys = _bool(value, "sendBrowserExamKey")
    t.applied["sendBrowserExamKey"] = (
        "requests to the exam's host carry the Config Key and Browser Exam Key hashes"
        if t.send_keys
        else "no key headers are sent"
    )


def _salt(t: Translation, value: Any) -> None:
    if not isinstance(value, bytes):
        raise UsageError("SEB setting examKeySalt: not data")
    t.exam_key_salt = value
    t.applied["examKeySalt"] = "keys the Browser Exam Key"


#: kioskReport: the kiosk's own key (SEB has none for an LRS), with [report]'s names. A .seb is
#: read by every student who has it, so it may name the LRS and where its password is kept,
#: never the password itself.
REPORT_KEYS = ("lrs", "username", "password_keyring", "password_file", "ca_file", "batch",
               "keep_days")  # fmt: skip


def _report(t: Translation, value: Any) -> None:
    if not isinstance(value, dict):
        raise UsageError("SEB setting kioskReport: not a dictionary of [report] settings")
    for key in value:
        if key == "password":
            raise UsageError(
                "SEB setting kioskReport: a password does not belong in a .seb, which every "
                "student who has it can read; name a keyring secret (password_keyring) or a "
                "password_file instead"
            )
        if key not in REPORT_KEYS:
            raise UsageError(
                f"SEB setting kioskReport: unknown key {key!r} (known: {', '.join(REPORT_KEYS)})"
            )
    t.report = dict(value)
    lrs = value.get("lrs")
    t.applied["kioskReport"] = f"events are reported to {lrs}" if lrs else "no LRS is named"


def _virtual_machine(t: Translation, value: Any) -> None:
    allowed = _bool(value, "allowVirtualMachine")
    t.computer["virtual_machine"] = "off" if allowed else "block"
    t.applied["allowVirtualMachine"] = (
        "a virtual machine is allowed (and recorded)" if allowed else
        "no virtual machine or container: setup fails with 4101, naming the evidence"
    )  # fmt: skip


def _process_names(key: str, value: Any) -> list[str]:
    """The active entries' executables, whatever their ``os``: names are compared without .exe
    or .app, so an entry written for Windows finds the same program here."""
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise UsageError(f"SEB setting {key}: not a list of processes")
    names = []
    for i, entry in enumerate(value):
        if _bool(entry.get("active", True), f"{key}[{i}].active"):
            for field_name in ("executable", "originalName"):
                name = _str(entry.get(field_name, ""), f"{key}[{i}].{field_name}").strip()
                if name and name not in names:
                    names.append(name)
    return names


def _prohibited(t: Translation, value: Any) -> None:
    names = _process_names("prohibitedProcesses", value)
    t.computer["prohibited"] = names
    t.applied["prohibitedProcesses"] = (
        f"{len(names)} program(s) prohibited beside the kiosk's own list; any user's counts, "
        "and only the student's own are ended (stricter than currentUser)"
    )


def _permitted(t: Translation, value: Any) -> None:
    names = _process_names("permittedProcesses", value)
    t.computer["permitted"] = names
    t.applied["permittedProcesses"] = (
        f"{len(names)} program(s) never prohibited; the kiosk does not start them"
    )


def _monitor_processes(t: Translation, value: Any) -> None:
    on = _bool(value, "monitorProcesses")
    t.computer["end_prohibited_processes"] = on
    t.applied["monitorProcesses"] = (
        "a prohibited program started during the exam is ended (5105)" if on else
        "a prohibited program started during the exam is evidence (5105), not ended"
    )  # fmt: skip


_KEYS: dict[str, Callable[[Translation, Any], None]] = {
    "startURL": _start_url,
    "sebConfigPurpose": _purpose,
    "quitURL": _quit_url,
    "hashedQuitPassword": _quit_password,
    "clipboardPolicy": _clipboard,
    "allowedDisplaysMaxNumber": _displays,
    "enablePrintScreen": _print_screen,
    "allowDownUploads": _downloads,
    "browserWindowAllowReload": _policy_flag("browserWindowAllowReload", "allow_reload", "reload"),
    "enableZoomPage": _policy_flag("enableZoomPage", "allow_zoom", "zoom"),
    "sendBrowserExamKey": _send_keys,
    "examKeySalt": _salt,
    "kioskReport": _report,
    "allowVirtualMachine": _virtual_machine,
    "prohibitedProcesses": _prohibited,
    "permittedProcesses": _permitted,
    "monitorProcesses": _monitor_processes,
}
#: Read together, after the others (allowQuit may take back the quit password).
_TOGETHER = ("URLFilterEnable", "URLFilterRules", "allowQuit")


def translate(settings: dict[str, Any]) -> Translation:
    """Every key of ``settings`` accounted for; a value of the wrong type is a UsageError."""
    t = Translation()
    for key, value in settings.items():
        if key in _KEYS:
            _KEYS[key](t, value)
        elif key in MET_BY_CONSTRUCTION:
            t.applied[key] = MET_BY_CONSTRUCTION[key]
        elif key not in _TOGETHER:
            t.unsupported[key] = value
    _url_filter(t, settings)
    if "allowQuit" in settings:
        _allow_quit(t, settings["allowQuit"])
    return t
