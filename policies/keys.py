"""Keyboard shortcuts: which chords a browser would turn into a way out of the exam.

A chord is a normalised string such as ``"Ctrl+Shift+I"``, ``"Alt+F4"``, ``"F5"`` or
``"Ctrl+Plus"``: modifiers in the order Ctrl, Alt, Shift, Meta, then the key, named as Qt names
it without ``Key_`` (``Plus``, ``Minus``, ``Equal``, ``Left``, ``Escape``, ``PrintScreen``...).
A modifier pressed alone is its own chord (``"Meta"`` is the Super/Windows key).

Lookup, first match wins: the chord itself; then with Meta read as Ctrl (Cmd+Q, Super+W); then
without Shift, because Shift rarely changes what a browser shortcut does (Ctrl+Shift+R reloads,
Ctrl+Shift+V pastes, Ctrl+Shift+Plus is how Ctrl+Plus is typed on most layouts) while explicit
Shift entries (Ctrl+Shift+I, Shift+Insert) still win. Anything not in the table is allowed:
typing, editing (Ctrl+A, Ctrl+Z, Ctrl+K in a rich-text editor) and the page's own shortcuts
must work. Ctrl+Alt+<letter> chords are deliberately absent: on Windows AltGr arrives as Ctrl+Alt,
and refusing them would stop students typing characters such as ``ć`` or ``@``.

Escape is allowed: exam pages use it (closing their own dialogs, leaving an element's
fullscreen), and the kiosk's window is fullscreen by its own decision, not by a browser
fullscreen mode Escape could end; F11, which would toggle it, is refused.

Window-manager and virtual-terminal chords (Super, Alt+Tab, Ctrl+Alt+Delete, Ctrl+Alt+F1..F12,
Ctrl+Alt+Backspace) are mostly taken by the system before any application sees them; they are
refused here for the cases where they do reach the kiosk (the keyboard grab, or no desktop).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

ClipboardMode = Literal["block", "isolated", "allow"]

MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")

_Rule = Literal["always", "reload", "zoom", "clipboard", "page"]


CLOSE_WINDOW, CLOSE_TAB, QUIT = "close the window", "close the tab", "quit the browser"
#: What these shortcuts would do is the student asking to leave: the quit policy answers.
ASKS_TO_QUIT = frozenset({CLOSE_WINDOW, CLOSE_TAB, QUIT})


@dataclass(frozen=True)
class KeyPolicy:
    allow_zoom: bool = False
    allow_reload: bool = False
    clipboard: ClipboardMode = "isolated"


@dataclass(frozen=True)
class KeyDecision:
    chord: str
    allowed: bool
    what: str  # what the shortcut would do; "" for a chord that is no shortcut (typing)


def _table() -> dict[str, tuple[_Rule, str]]:
    table: dict[str, tuple[_Rule, str]] = {}

    def put(rule: _Rule, what: str, *chords: str) -> None:
        for chord in chords:
            assert chord == normalise(chord), chord
            table[chord] = (rule, what)

    put("always", "open a new window", "Ctrl+N", "Ctrl+Shift+N")
    put("always", "open a new tab", "Ctrl+T")
    put("always", "reopen a closed tab", "Ctrl+Shift+T")
    put("always", CLOSE_WINDOW, "Ctrl+W", "Ctrl+Shift+W", "Alt+F4")
    put("always", CLOSE_TAB, "Ctrl+F4")
    put("always", QUIT, "Ctrl+Q", "Ctrl+Shift+Q")
    put("always", "print", "Ctrl+P", "Ctrl+Shift+P")
    put("always", "save page", "Ctrl+S")
    put("always", "open file", "Ctrl+O")
    put("always", "view source", "Ctrl+U")
    put("always", "address bar", "Ctrl+L")
    put("always", "developer tools", "F12", "Ctrl+Shift+I", "Ctrl+Shift+J", "Ctrl+Shift+C",
        "Ctrl+Shift+K")  # fmt: skip
    put("always", "leave fullscreen", "F11")
    put("always", "back/forward", "Alt+Left", "Alt+Right", "Back", "Forward")
    put("always", "home page", "Alt+Home", "HomePage")
    put("always", "switch windows", "Alt+Tab", "Alt+Shift+Tab", "Meta+Tab", "Alt+Escape")
    put("always", "window menu", "Alt+Space")
    put("always", "system menu", "Meta", "Ctrl+Escape")
    put("always", "show the desktop", "Meta+D")
    put("always", "lock the screen", "Meta+L")
    put("always", "security screen", "Ctrl+Alt+Delete")
    put("always", "kill the display server", "Ctrl+Alt+Backspace")
    put("always", "switch virtual terminal", *(f"Ctrl+Alt+F{n}" for n in range(1, 13)))
    put("always", "screenshot", "PrintScreen", "Ctrl+PrintScreen", "Alt+PrintScreen")
    put("reload", "reload", "F5", "Ctrl+F5", "Ctrl+R", "Ctrl+Shift+R", "Refresh")
    put("zoom", "zoom", "Ctrl+Plus", "Ctrl+Minus", "Ctrl+Equal", "Ctrl+0", "Ctrl+Underscore",
        "Ctrl+Wheel", "ZoomIn", "ZoomOut")  # fmt: skip
    put("clipboard", "copy", "Ctrl+C", "Ctrl+Insert", "Copy")
    put("clipboard", "cut", "Ctrl+X", "Shift+Delete", "Cut")
    put("clipboard", "paste", "Ctrl+V", "Shift+Insert", "Paste")
    put("page", "leave fullscreen", "Escape")
    return table


#: Spellings people and other tools use, mapped to the names Qt gives (see module docstring).
_ALIASES = {
    "control": "Ctrl", "ctl": "Ctrl", "cmd": "Meta", "command": "Meta", "super": "Meta",
    "win": "Meta", "windows": "Meta", "option": "Alt", "opt": "Alt", "esc": "Escape",
    "return": "Enter", "del": "Delete", "ins": "Insert", "print": "PrintScreen",
    "prtsc": "PrintScreen", "sysreq": "PrintScreen", "backtab": "Tab", "+": "Plus",
    "-": "Minus", "=": "Equal", "_": "Underscore", "pgup": "PageUp", "pgdown": "PageDown",
    "pageup": "PageUp", "pagedown": "PageDown", "printscreen": "PrintScreen",
}  # fmt: skip


def normalise(chord: str) -> str:
    """``"shift+ctrl+i"`` -> ``"Ctrl+Shift+I"``; ``"Ctrl++"`` -> ``"Ctrl+Plus"``."""
    text = chord.strip()
    if text.endswith("++") or text == "+":  # the plus key itself
        parts = [*text[:-1].split("+"), "Plus"]
    else:
        parts = text.split("+")
    names = [_name(p.strip()) for p in parts if p.strip()]
    if not names:
        return ""
    mods = {n for n in names[:-1] if n in MODIFIERS}
    key = names[-1]
    if key in MODIFIERS:  # a modifier pressed alone (or on top of others) is a chord by itself
        mods.add(key)
        return "+".join(m for m in MODIFIERS if m in mods)
    return "+".join([*(m for m in MODIFIERS if m in mods), key])


def _name(part: str) -> str:
    alias = _ALIASES.get(part.lower())
    if alias is not None:
        return alias
    for mod in MODIFIERS:
        if part.lower() == mod.lower():
            return mod
    if len(part) == 1:
        return part.upper()
    if part[0] in "fF" and part[1:].isdigit():
        return "F" + part[1:]
    return part[0].upper() + part[1:]


def _candidates(chord: str) -> list[str]:
    parts = chord.split("+")
    mods, key = parts[:-1], parts[-1]
    found = [chord]
    if "Meta" in mods:  # Cmd (macOS) / Super read as Ctrl; "Meta" alone stays the Super key
        ctrl = {"Ctrl", *(m for m in mods if m != "Meta")}
        found.append("+".join([*(m for m in MODIFIERS if m in ctrl), key]))
    for one in list(found):
        if "+Shift+" in f"+{one}+" and not one.endswith("Shift"):
            found.append(one.replace("Shift+", "", 1))
    return found


def drop_allowed(files: bool, uploads: bool, clipboard: ClipboardMode) -> bool:
    """A drag from another program dropped on the exam: files are an upload, text or links a
    paste from outside."""
    return uploads if files else clipboard == "allow"


@functools.lru_cache(maxsize=4096)  # the key filter asks on every key press
def decide_key(chord: str, policy: KeyPolicy) -> KeyDecision:
    chord = normalise(chord)
    for candidate in _candidates(chord):
        found = _TABLE.get(candidate)
        if found is None:
            continue
        rule, what = found
        if rule == "reload":
            allowed = policy.allow_reload
        elif rule == "zoom":
            allowed = policy.allow_zoom
        elif rule == "clipboard":
            allowed = policy.clipboard != "block"
        else:
            allowed = rule == "page"
        return KeyDecision(chord, allowed, what)
    return KeyDecision(chord, True, "")


_TABLE = _table()

#: Chromium's own zoom levels, the steps Ctrl+wheel takes: the zoom keys take the same ones
#: (Qt WebEngine zooms on Ctrl+wheel by itself, but not on a key).
ZOOM_LEVELS = (0.25, 1 / 3, 0.5, 2 / 3, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0,
               4.0, 5.0)  # fmt: skip
_ZOOM_IN = frozenset({"Ctrl+Plus", "Ctrl+Equal", "ZoomIn"})
_ZOOM_OUT = frozenset({"Ctrl+Minus", "Ctrl+Underscore", "ZoomOut"})


def zoom_after(chord: str, current: float) -> float | None:
    """The zoom factor a zoom key leads to from ``current`` (None: not a zoom key, or already
    at the end of the range)."""
    chord = normalise(chord).replace("Shift+", "")
    if chord == "Ctrl+0":
        return 1.0 if current != 1.0 else None
    if chord in _ZOOM_IN:
        return next((z for z in ZOOM_LEVELS if z > current + 1e-6), None)
    if chord in _ZOOM_OUT:
        return next((z for z in reversed(ZOOM_LEVELS) if z < current - 1e-6), None)
    return None


#: Every chord the table names, for tests and documentation.
SHORTCUTS = frozenset(_TABLE)
