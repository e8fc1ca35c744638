"""The shortcut table: every way out is refused under every policy, typing never is."""

from __future__ import annotations

import itertools

import pytest

from policies.keys import (
    SHORTCUTS,
    ClipboardMode,
    KeyPolicy,
    decide_key,
    drop_allowed,
    normalise,
    zoom_after,
)

POLICIES = [
    KeyPolicy(allow_zoom=zoom, allow_reload=reload, clipboard=clipboard)
    for zoom, reload, clipboard in itertools.product(
        (False, True), (False, True), ("block", "isolated", "allow")
    )
]

ALWAYS_REFUSED = {
    "Ctrl+N": "open a new window",
    "Ctrl+Shift+N": "open a new window",
    "Ctrl+T": "open a new tab",
    "Ctrl+Shift+T": "reopen a closed tab",
    "Ctrl+W": "close the window",
    "Ctrl+Shift+W": "close the window",
    "Ctrl+Q": "quit the browser",
    "Ctrl+Shift+Q": "quit the browser",
    "Ctrl+P": "print",
    "Ctrl+S": "save page",
    "Ctrl+O": "open file",
    "Ctrl+U": "view source",
    "Ctrl+L": "address bar",
    "F11": "leave fullscreen",
    "F12": "developer tools",
    "Ctrl+Shift+I": "developer tools",
    "Ctrl+Shift+J": "developer tools",
    "Ctrl+Shift+C": "developer tools",
    "Ctrl+Shift+K": "developer tools",
    "Alt+Left": "back/forward",
    "Alt+Right": "back/forward",
    "Alt+Home": "home page",
    "Alt+F4": "close the window",
    "Ctrl+F4": "close the tab",
    "Meta": "system menu",
    "Alt+Tab": "switch windows",
    "Alt+Shift+Tab": "switch windows",
    "Ctrl+Alt+Delete": "security screen",
    "Ctrl+Alt+Backspace": "kill the display server",
    "PrintScreen": "screenshot",
    "Alt+PrintScreen": "screenshot",
    "Shift+PrintScreen": "screenshot",
    # Cmd on macOS and Super elsewhere arrive as Meta and are read as Ctrl.
    "Meta+Q": "quit the browser",
    "Meta+W": "close the window",
    "Shift+Meta+I": "developer tools",
    "Meta+N": "open a new window",
    **{f"Ctrl+Alt+F{n}": "switch virtual terminal" for n in range(1, 13)},
}

RELOAD = ["F5", "Ctrl+R", "Ctrl+Shift+R", "Ctrl+F5", "Shift+F5", "Meta+R"]
ZOOM = ["Ctrl+Plus", "Ctrl+Minus", "Ctrl+Equal", "Ctrl+0", "Ctrl+Shift+Plus", "Ctrl+Wheel",
        "Meta+Plus", "Ctrl+Underscore"]  # fmt: skip
CLIPBOARD = {
    "Ctrl+C": "copy",
    "Ctrl+Insert": "copy",
    "Ctrl+X": "cut",
    "Shift+Delete": "cut",
    "Ctrl+V": "paste",
    "Shift+Insert": "paste",
    "Ctrl+Shift+V": "paste",
    "Meta+C": "copy",
}
TYPING = ["A", "Shift+A", "Ctrl+A", "Backspace", "Enter", "Tab", "Shift+Tab", "Space", "Delete",
          "Left", "Home", "End", "Ctrl+Left", "Ctrl+Shift+Left", "Shift+Home", "Ctrl+Z",
          "Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+B", "Ctrl+I", "Ctrl+K", "Ctrl+E", "Ctrl+F", "Ctrl+H",
          "1", "Shift+1", "Plus", "Ж", "Ctrl", "Shift", "Alt", "Ctrl+Shift", "F1", "F2",
          # AltGr on Windows arrives as Ctrl+Alt: characters such as ć, @ and € must type.
          "Ctrl+Alt+C", "Ctrl+Alt+Q", "Ctrl+Alt+E", "Ctrl+Alt+2"]  # fmt: skip


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@pytest.mark.parametrize(("chord", "what"), ALWAYS_REFUSED.items())
def test_ways_out_are_refused_under_every_policy(chord: str, what: str, policy: KeyPolicy) -> None:
    assert decide_key(chord, policy) == decide_key(chord, KeyPolicy())
    decision = decide_key(chord, policy)
    assert (decision.allowed, decision.what) == (False, what)


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@pytest.mark.parametrize("chord", RELOAD)
def test_reload_only_when_allowed(chord: str, policy: KeyPolicy) -> None:
    decision = decide_key(chord, policy)
    assert (decision.allowed, decision.what) == (policy.allow_reload, "reload")


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@pytest.mark.parametrize("chord", ZOOM)
def test_zoom_only_when_allowed(chord: str, policy: KeyPolicy) -> None:
    decision = decide_key(chord, policy)
    assert (decision.allowed, decision.what) == (policy.allow_zoom, "zoom")


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@pytest.mark.parametrize(("chord", "what"), CLIPBOARD.items())
def test_copy_and_paste_refused_only_when_the_clipboard_is_blocked(
    chord: str, what: str, policy: KeyPolicy
) -> None:
    decision = decide_key(chord, policy)
    assert (decision.allowed, decision.what) == (policy.clipboard != "block", what)


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@pytest.mark.parametrize("chord", TYPING)
def test_typing_and_editing_are_always_allowed(chord: str, policy: KeyPolicy) -> None:
    decision = decide_key(chord, policy)
    assert (decision.allowed, decision.what) == (True, "")


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@pytest.mark.parametrize("chord", ["Escape", "Shift+Escape"])
def test_escape_reaches_the_page(chord: str, policy: KeyPolicy) -> None:
    """Pages close their dialogs with it; the kiosk's fullscreen is not the browser's to end."""
    decision = decide_key(chord, policy)
    assert (decision.allowed, decision.what) == (True, "leave fullscreen")


def test_every_entry_of_the_table_is_decided_and_normalised() -> None:
    for chord in SHORTCUTS:
        assert normalise(chord) == chord
        assert decide_key(chord, KeyPolicy()).what, chord


@pytest.mark.parametrize(
    ("spelled", "chord"),
    [
        ("ctrl+shift+i", "Ctrl+Shift+I"),
        ("Shift+Ctrl+I", "Ctrl+Shift+I"),
        ("Control+w", "Ctrl+W"),
        ("Ctrl++", "Ctrl+Plus"),
        ("Ctrl+Shift++", "Ctrl+Shift+Plus"),
        ("Ctrl+=", "Ctrl+Equal"),
        ("Ctrl+-", "Ctrl+Minus"),
        ("cmd+q", "Meta+Q"),
        ("Super", "Meta"),
        ("Win+Shift+Tab", "Shift+Meta+Tab"),
        ("alt+f4", "Alt+F4"),
        ("Esc", "Escape"),
        ("PrtSc", "PrintScreen"),
        ("Return", "Enter"),
        ("Shift+Ctrl", "Ctrl+Shift"),
        (" Ctrl + Alt + Del ", "Ctrl+Alt+Delete"),
        ("", ""),
    ],
)
def test_chords_are_normalised(spelled: str, chord: str) -> None:
    assert normalise(spelled) == chord
    assert decide_key(spelled, KeyPolicy()).chord == chord


@pytest.mark.parametrize(
    ("files", "uploads", "clipboard", "allowed"),
    [
        (True, False, "allow", False),  # files are an upload: refused unless uploads are on
        (True, True, "block", True),
        (False, True, "isolated", False),  # text from outside is a paste from outside
        (False, False, "allow", True),
    ],
)
def test_a_drop_from_another_program(
    files: bool, uploads: bool, clipboard: ClipboardMode, allowed: bool
) -> None:
    assert drop_allowed(files, uploads, clipboard) is allowed


@pytest.mark.parametrize(
    ("chord", "current", "after"),
    [
        ("Ctrl+Equal", 1.0, 1.1), ("Ctrl+Plus", 1.1, 1.25), ("Ctrl+Shift+Plus", 1.25, 1.5),
        ("ZoomIn", 4.0, 5.0), ("Ctrl+Equal", 5.0, None), ("Ctrl+Equal", 1.05, 1.1),
        ("Ctrl+Minus", 1.0, 0.9), ("Ctrl+Underscore", 0.5, 1 / 3), ("Ctrl+Minus", 0.25, None),
        ("Ctrl+0", 2.5, 1.0), ("Ctrl+0", 1.0, None), ("Ctrl+A", 1.0, None),
    ],
)  # fmt: skip
def test_the_zoom_keys_step_through_chromiums_own_levels(
    chord: str, current: float, after: float | None
) -> None:
    assert zoom_after(chord, current) == after
