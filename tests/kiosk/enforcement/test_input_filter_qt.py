"""Shortcuts and the clipboard on the real stack: a KioskApp's page, keys sent to its QWindow
(the path the X server's keys take), another process owning the X clipboard."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PyQt6.QtCore import QPoint, QPointF, QTimer
from PyQt6.QtTest import QTest
from pytestqt.qtbot import QtBot

from bridge import scripts
from kiosk.app import KioskApp
from kiosk.config.settings import KioskConfig
from kiosk.enforcement.clipboard import ClipboardGuard
from kiosk.enforcement.input_filter import _KEY_NAMES, KeyFilter, chord_of
from kiosk.enforcement.page_guards import GuardedPage, lock_engine_settings
from kiosk.platform.qt import (
    QApplication,
    QClipboard,
    QCoreApplication,
    QEvent,
    QGuiApplication,
    QKeyEvent,
    QLineEdit,
    QObject,
    Qt,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWheelEvent,
    QWidget,
    sip,
)
from policies.keys import SHORTCUTS, KeyPolicy
from tests.support.other_program import other_program
from tests.support.paths import REPO
from tests.support.server import ReportServer
from tests.support.xdo import xdotool

Decision = tuple[str, str, dict[str, Any]]
MOD = Qt.KeyboardModifier
_MODS = {"Ctrl": MOD.ControlModifier, "Alt": MOD.AltModifier, "Shift": MOD.ShiftModifier,
         "Meta": MOD.MetaModifier}  # fmt: skip
_QT_NAMES = {"PrintScreen": "Print", "Enter": "Return"}
MODIFIER_KEYS = {"Control", "Alt", "Shift", "Meta"}


def key_of(chord: str) -> tuple[Qt.Key, Qt.KeyboardModifier]:
    *mods, key = chord.split("+")
    flags = MOD.NoModifier
    for mod in mods:
        flags |= _MODS[mod]
    return getattr(Qt.Key, "Key_" + _QT_NAMES.get(key, key)), flags


def click(app: KioskApp, chord: str) -> None:
    key, mods = key_of(chord)
    letter = chord.split("+")[-1]
    if len(letter) == 1 and letter.isalpha():  # QTest's own text ignores Shift
        letter = letter.upper() if mods & MOD.ShiftModifier else letter.lower()
        QTest.keyClick(app.window.windowHandle(), letter, mods)
    else:
        QTest.keyClick(app.window.windowHandle(), key, mods)


def evaluate(qtbot: QtBot, app: KioskApp, script: str) -> Any:
    box: list[Any] = []
    app.window.page.runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    return box[0]


def wait_page(
    qtbot: QtBot, app: KioskApp, script: str, until: Callable[[Any], bool], timeout: float = 10
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = evaluate(qtbot, app, script)
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"the page's {script!r} stayed {value!r}")
        qtbot.wait(20)


def typed_keys(qtbot: QtBot, app: KioskApp) -> list[str]:
    """The non-modifier keys the page saw, once the marker key "x" has arrived."""
    seen = wait_page(qtbot, app, "window.seen", lambda s: any(k["key"] == "x" for k in s))
    return [k["key"] for k in seen if k["type"] == "keydown" and k["key"] not in MODIFIER_KEYS]


@pytest.fixture
def page(make_kiosk: Callable[..., KioskApp], server: ReportServer, qtbot: QtBot) -> KioskApp:
    """The keys page, loaded, its window active and its first input focused."""
    app = make_kiosk(server.url("keys.html"))
    # The kiosk's own filter (the lockdown's) goes: each test installs the one it examines.
    assert app.lockdown.keys is not None
    app.lockdown.keys.remove()
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow, timeout=10_000)
    ready = "document.readyState == 'complete' && document.activeElement.id == 'answer'"
    wait_page(qtbot, app, f"({ready}) && document.hasFocus()", lambda ok: ok is True, 20)
    return app


@pytest.fixture
def key_filter(
    qapp: QApplication,
) -> Iterator[Callable[..., tuple[KeyFilter, list[Decision]]]]:
    made: list[KeyFilter] = []

    def make(
        windows: Callable[[], list[QWidget]], policy: KeyPolicy | None = None, **guards: Any
    ) -> tuple[KeyFilter, list[Decision]]:
        decisions: list[Decision] = []
        record = lambda *d: decisions.append(d)  # noqa: E731
        made.append(KeyFilter(qapp, windows, policy or KeyPolicy(), record, **guards))
        return made[-1], decisions

    yield make
    for one in made:
        one.remove()


# -- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chord", "what"),
    [
        ("Ctrl+W", "close the window"),
        ("Ctrl+Shift+I", "developer tools"),
        ("F5", "reload"),
        ("F11", "leave fullscreen"),
        ("Alt+Left", "back/forward"),
        ("Alt+F4", "close the window"),
        ("Ctrl+Plus", "zoom"),
        ("Ctrl+P", "print"),
    ],
)
def test_a_refused_chord_is_swallowed_and_reported_once(
    page: KioskApp, key_filter: Any, qtbot: QtBot, chord: str, what: str
) -> None:
    _, decisions = key_filter(lambda: [page.window])
    click(page, chord)
    click(page, "X")  # a marker: when it has reached the page, so would the chord have
    assert typed_keys(qtbot, page) == ["x"]
    assert decisions == [("keys", "refused", {"chord": chord, "what": what})]
    assert page.window.isVisible()
    assert evaluate(qtbot, page, "document.getElementById('answer').value") == "x"


def test_typing_and_editing_reach_the_page(page: KioskApp, key_filter: Any, qtbot: QtBot) -> None:
    _, decisions = key_filter(lambda: [page.window])
    for chord in ("A", "Shift+B", "Backspace", "C", "Ctrl+A", "Escape", "Tab", "X"):
        click(page, chord)
    assert typed_keys(qtbot, page) == ["a", "B", "Backspace", "c", "a", "Escape", "Tab", "x"]
    assert decisions == []
    assert evaluate(qtbot, page, "document.getElementById('answer').value") == "ac"
    assert evaluate(qtbot, page, "document.getElementById('second').value") == "x"


@pytest.mark.parametrize(
    ("policy", "chord", "page_key"),
    [
        (KeyPolicy(allow_zoom=True), "Ctrl+Equal", "="),
        (KeyPolicy(), "Ctrl+Equal", None),
        (KeyPolicy(clipboard="isolated"), "Ctrl+V", "v"),
        (KeyPolicy(clipboard="block"), "Ctrl+V", None),
    ],
)
def test_policy_flags_decide_zoom_and_clipboard_keys(
    page: KioskApp, key_filter: Any, qtbot: QtBot, policy: KeyPolicy, chord: str,
    page_key: str | None,
) -> None:  # fmt: skip
    _, decisions = key_filter(lambda: [page.window], policy)
    click(page, chord)
    click(page, "X")
    assert typed_keys(qtbot, page) == ([page_key] if page_key else []) + ["x"]
    assert [d[2]["chord"] for d in decisions] == ([] if page_key else [chord])


def test_auto_repeat_is_swallowed_but_not_reported_again(
    page: KioskApp, key_filter: Any, qtbot: QtBot
) -> None:
    _, decisions = key_filter(lambda: [page.window])
    window = page.window.windowHandle()
    QTest.keyPress(window, Qt.Key.Key_W, MOD.ControlModifier)
    for _ in range(5):
        repeat = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_W, MOD.ControlModifier, "w", True)
        assert QApplication.sendEvent(window, repeat) is True  # swallowed
    QTest.keyRelease(window, Qt.Key.Key_W, MOD.ControlModifier)
    click(page, "X")
    assert typed_keys(qtbot, page) == ["x"]
    assert decisions == [("keys", "refused", {"chord": "Ctrl+W", "what": "close the window"})]


def test_real_x_key_events_are_filtered_too(page: KioskApp, key_filter: Any, qtbot: QtBot) -> None:
    """xdotool types through the X server (XTEST), exactly as a keyboard does."""
    _, decisions = key_filter(lambda: [page.window])
    env = dict(os.environ)
    xdotool("key", "ctrl+w", "x", env=env)
    assert typed_keys(qtbot, page) == ["x"]
    assert decisions == [("keys", "refused", {"chord": "Ctrl+W", "what": "close the window"})]


def test_ctrl_wheel_zoom_is_swallowed_and_reported_once_per_gesture(
    page: KioskApp, key_filter: Any, qtbot: QtBot
) -> None:
    _, decisions = key_filter(lambda: [page.window])
    window = page.window.windowHandle()

    def wheel(mods: Qt.KeyboardModifier) -> bool:
        event = QWheelEvent(
            QPointF(200, 200), QPointF(200, 200), QPoint(0, 0), QPoint(0, 120),
            Qt.MouseButton.NoButton, mods, Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        return QApplication.sendEvent(window, event)

    def plain_wheel_arrives(after: int) -> int:
        """Plain scrolling is the page's. Chromium drops wheel events that come before its first
        hit-test data, so the wheel is sent again until the page has one more than before."""
        deadline = time.monotonic() + 10
        while True:
            wheel(MOD.NoModifier)
            qtbot.wait(50)
            seen = evaluate(qtbot, page, "window.seen")
            wheels = [k for k in seen if k["type"] == "wheel"]
            if len(wheels) > after:
                return len(wheels)
            assert time.monotonic() < deadline, f"no plain wheel reached the page: {seen!r}"

    before = plain_wheel_arrives(0)  # the witness: wheels do reach this page
    assert all(wheel(MOD.ControlModifier) for _ in range(5))
    assert [d[2] for d in decisions] == [{"chord": "Ctrl+Wheel", "what": "zoom"}]
    plain_wheel_arrives(before)
    wheels = [k for k in evaluate(qtbot, page, "window.seen") if k["type"] == "wheel"]
    assert len(wheels) >= 2 and not any(k["ctrl"] for k in wheels)  # no Ctrl+wheel got through
    assert len(decisions) == 1


def test_keys_for_other_windows_are_left_alone(
    page: KioskApp, key_filter: Any, qtbot: QtBot
) -> None:
    _, decisions = key_filter(lambda: [page.window])
    other = QLineEdit()
    qtbot.addWidget(other)
    arrived: list[str] = []

    class Spy(QObject):
        def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
            if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
                arrived.append(chord_of(event))
            return False

    spy = Spy(other)
    other.installEventFilter(spy)
    QTest.keyClick(other, Qt.Key.Key_W, MOD.ControlModifier)
    assert arrived == ["Ctrl", "Ctrl+W"]
    assert decisions == []


def test_remove_uninstalls_and_deleted_windows_are_skipped(
    page: KioskApp, key_filter: Any, qtbot: QtBot
) -> None:
    gone = QWidget()
    sip.delete(gone)
    keys, decisions = key_filter(lambda: [gone, page.window])
    click(page, "Ctrl+W")
    assert len(decisions) == 1
    keys.remove()
    keys.remove()  # twice is fine
    assert not keys.installed
    click(page, "Ctrl+W")
    click(page, "X")
    assert typed_keys(qtbot, page) == ["w", "x"]
    assert len(decisions) == 1


@pytest.mark.expect_log(r"kiosk.keyfilter: key filter failed; the event was let through")
def test_a_failing_filter_lets_keys_through(
    page: KioskApp, key_filter: Any, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Failing open: a broken filter must not take the student's keyboard away."""

    def broken() -> list[QWidget]:
        raise RuntimeError("boom")

    _, decisions = key_filter(broken)
    click(page, "Ctrl+W")
    click(page, "X")
    assert typed_keys(qtbot, page) == ["w", "x"]
    assert decisions == []
    assert "key filter failed" in caplog.text


def test_chords_are_named_like_the_policy_table(qapp: QApplication) -> None:
    def chord(key: Qt.Key, mods: Qt.KeyboardModifier = MOD.NoModifier, text: str = "") -> str:
        return chord_of(QKeyEvent(QEvent.Type.KeyPress, key, mods, text))

    assert chord(Qt.Key.Key_I, MOD.ShiftModifier | MOD.ControlModifier) == "Ctrl+Shift+I"
    assert chord(Qt.Key.Key_Plus, MOD.ControlModifier | MOD.KeypadModifier) == "Ctrl+Plus"
    assert chord(Qt.Key.Key_Backtab, MOD.AltModifier | MOD.ShiftModifier) == "Alt+Shift+Tab"
    assert chord(Qt.Key.Key_Super_L, MOD.MetaModifier) == "Meta"
    assert chord(Qt.Key.Key_Control, MOD.ControlModifier) == "Ctrl"
    assert chord(Qt.Key.Key_Print) == "PrintScreen"
    assert chord(Qt.Key.Key_Return) == "Enter"
    assert chord(Qt.Key.Key_Q, MOD.MetaModifier) == "Meta+Q"
    assert chord_of(QKeyEvent(QEvent.Type.KeyPress, ord("Ж"), MOD.NoModifier, "ж")) == "Ж"
    names = set(_KEY_NAMES.values()) | {"Wheel"}
    for shortcut in SHORTCUTS:
        assert shortcut.split("+")[-1] in names, shortcut


# -- clipboard ----------------------------------------------------------------------------------


@pytest.fixture
def clipboard(qapp: QApplication) -> QClipboard:
    board = QGuiApplication.clipboard()
    assert board is not None and board.supportsSelection()  # X11
    for mode in (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection):
        board.clear(mode)  # what earlier tests' pages selected or copied
    return board


@pytest.fixture
def guard(qapp: QApplication) -> Iterator[Callable[[str], tuple[ClipboardGuard, list[Decision]]]]:
    made: list[ClipboardGuard] = []

    def make(mode: Any) -> tuple[ClipboardGuard, list[Decision]]:
        decisions: list[Decision] = []
        made.append(ClipboardGuard(mode, lambda *d: decisions.append(d)))
        return made[-1], decisions

    yield make
    for one in made:
        one.stop()
        sip.delete(one)


@pytest.fixture
def outside() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Another program copies TEXT and stays alive, owning the X selections (both, or only
    ``which``: "clipboard" or "selection"), for 3 s."""
    started: list[subprocess.Popen[str]] = []

    def copy(text: str, which: str = "both") -> subprocess.Popen[str]:
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
        owner = subprocess.Popen(
            [sys.executable, "tests/support/clipboard_owner.py", text, "3", which],
            cwd=REPO, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        started.append(owner)
        assert owner.stdout is not None and owner.stdout.readline().strip() == "owned"
        return owner

    yield copy
    for owner in started:
        owner.terminate()
        owner.communicate(timeout=10)


def test_isolated_clears_what_another_program_copies(
    qtbot: QtBot, clipboard: QClipboard, guard: Any, outside: Any
) -> None:
    keeper, decisions = guard("isolated")
    keeper.start()
    outside("copied outside the exam")
    qtbot.waitUntil(lambda: len(decisions) == 2, timeout=5_000)
    why = "another program put something on the clipboard"
    assert decisions == [
        ("clipboard", "cleared", {"why": why, "selection": "clipboard"}),
        ("clipboard", "cleared", {"why": why, "selection": "selection"}),
    ]
    assert clipboard.text() == ""
    assert clipboard.text(QClipboard.Mode.Selection) == ""


def test_isolated_keeps_the_kiosks_own_copy_off_the_system_clipboard(
    qtbot: QtBot, clipboard: QClipboard, guard: Any, outside: Any
) -> None:
    outside("copied before the exam")
    qtbot.waitUntil(lambda: clipboard.text() == "copied before the exam", timeout=5_000)
    keeper, decisions = guard("isolated")
    typed: list[str] = []
    keeper.insert = lambda text, done: typed.append(text)
    keeper.start()  # clears what was there before
    assert clipboard.text() == ""
    assert [d[2]["selection"] for d in decisions] == ["clipboard, selection"]
    clipboard.setText("copied inside the exam")
    # Taken inside the change signal, before the event loop could serve another client.
    assert clipboard.text() == "" and not clipboard.ownsClipboard()
    assert keeper.paste_allowed(False) is False  # the engine pastes nothing of the system's...
    assert typed == ["copied inside the exam"]  # ...the guard types the exam's own copy in
    assert len(decisions) == 1  # keeping the exam's copy is no event
    keeper.stop()
    assert keeper.paste_allowed(False) is True  # stopped: nothing kept, nothing guarded
    assert typed == ["copied inside the exam"]


@pytest.mark.parametrize("mode", ["isolated", "block"])
def test_the_kiosks_own_selection_is_never_left_on_primary(
    clipboard: QClipboard, guard: Any, mode: str
) -> None:
    keeper, decisions = guard(mode)
    keeper.start()
    clipboard.setText("selected in the exam", QClipboard.Mode.Selection)
    assert clipboard.text(QClipboard.Mode.Selection) == ""
    assert not clipboard.ownsSelection()
    assert decisions == []  # a selection is no copy: cleared quietly


def test_block_clears_even_the_kiosks_own_copy(
    qtbot: QtBot, clipboard: QClipboard, guard: Any
) -> None:
    keeper, decisions = guard("block")
    keeper.start()
    clipboard.setText("copied inside the exam")
    assert clipboard.text() == ""
    assert [d[2] for d in decisions] == [{"why": "copying is blocked", "selection": "clipboard"}]
    assert keeper.paste_allowed(False) is False  # and nothing kept to paste


def test_allow_leaves_the_clipboard_alone(
    qtbot: QtBot, clipboard: QClipboard, guard: Any, outside: Any
) -> None:
    keeper, decisions = guard("allow")
    outside("shared with the exam")
    qtbot.waitUntil(lambda: clipboard.text() == "shared with the exam", timeout=5_000)
    keeper.start()
    assert not keeper.active  # nothing watches the clipboard: nothing can clear it later
    assert clipboard.text() == "shared with the exam"
    keeper.stop()
    assert clipboard.text() == "shared with the exam"
    assert decisions == []


def test_isolated_page_pastes_its_own_copy_but_not_the_outside_one(
    page: KioskApp,
    key_filter: Any,
    guard: Any,
    outside: Any,
    qtbot: QtBot,
    clipboard: QClipboard,
) -> None:
    page.lockdown.clipboard.stop()  # the kiosk's own guard would keep the copy: this one must
    keeper, decisions = guard("isolated")
    keeper.insert = page.window.page.insert_text
    policy = KeyPolicy(clipboard="isolated")
    key_filter(lambda: [page.window], policy, paste_allowed=keeper.paste_allowed)
    keeper.start()
    outside("from outside")
    qtbot.waitUntil(lambda: len(decisions) == 2, timeout=5_000)
    click(page, "Ctrl+V")  # nothing to paste: it was cleared
    for chord in ("I", "N", "Ctrl+A", "Ctrl+C"):
        click(page, chord)
    qtbot.waitUntil(lambda: keeper.holds_copy, timeout=5_000)  # the engine copies later
    assert not clipboard.ownsClipboard() and clipboard.text() == ""
    for chord in ("Tab", "Ctrl+V"):
        click(page, chord)
    wait_page(qtbot, page, "document.getElementById('second').value", lambda v: v == "in")
    assert evaluate(qtbot, page, "document.getElementById('answer').value") == "in"


def test_the_kept_copy_pastes_into_a_frame_of_another_origin(
    make_kiosk: Callable[..., KioskApp], server: ReportServer, qtbot: QtBot
) -> None:
    """The top frame cannot reach into it: the kiosk's script in the frame pastes there."""
    rules = [{"expression": "localhost", "action": "allow"}]
    app = make_kiosk(server.url("paste-frames.html"),
                     KioskConfig.model_validate({"policy": {"url_filter": rules}}))  # fmt: skip
    wait_page(qtbot, app, "window.__sheet", lambda v: v == "", 20)  # the sheet is there
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow, timeout=10_000)
    target = app.window.view.focusProxy()
    assert target is not None
    at = target.mapToGlobal(QPoint(40, 40))  # into the sheet, as the student clicks
    for _ in range(5):  # the engine swallows the first click on a page, as in the escape rows
        xdotool("mousemove", str(at.x()), str(at.y()), "click", "1")
        if evaluate(qtbot, app, "document.activeElement.id") == "sheet":
            break
        qtbot.wait(200)
    assert evaluate(qtbot, app, "document.activeElement.id") == "sheet"
    app.window.page.insert_text("copied inside the exam")
    wait_page(qtbot, app, "window.__sheet", lambda v: v == "copied inside the exam")


@pytest.fixture
def fighter() -> Iterator[None]:
    """Another program that keeps putting SECRET-NOTES back on the clipboard (every 50 ms)."""
    with other_program("clipboard_fighter.py", "SECRET-NOTES", ready="fighting"):
        yield


# Qt says so when the guard clears the clipboard the instant the other program takes it again.
@pytest.mark.qt_log_ignore("QXcbClipboard::setMimeData: Cannot set X11 selection owner")
def test_the_engines_own_paste_action_is_the_clipboard_guards_to_allow(
    page: KioskApp, fighter: None, qtbot: QtBot, clipboard: QClipboard
) -> None:
    """The context menu's Paste (the page's Paste action, which the menu shows) reads the
    system clipboard past the paste key's check, unless the page asks the guard first."""
    page.lockdown.clipboard.start()
    paste = page.window.page.action(QWebEnginePage.WebAction.Paste)
    assert paste is not None
    for _ in range(5):  # each time the other program's text is on the clipboard this instant
        qtbot.waitUntil(lambda: clipboard.text() == "SECRET-NOTES", timeout=5_000)
        paste.trigger()
    click(page, "X")  # the witness: typed after the pastes, so any paste came first
    value = wait_page(qtbot, page, "document.getElementById('answer').value",
                      lambda v: v.endswith("x"))  # fmt: skip
    assert value == "x", value


@pytest.mark.parametrize(
    ("clipboard", "webrtc", "expected"),
    [
        ("isolated", False, {scripts.CLIPBOARD_SCRIPT, scripts.NO_WEBRTC_SCRIPT}),
        ("block", True, {scripts.CLIPBOARD_SCRIPT}),
        ("allow", False, {scripts.NO_WEBRTC_SCRIPT}),
        ("allow", True, set()),
    ],
)
def test_the_page_gets_the_scripts_its_policy_asks_for(
    qapp: QApplication, clipboard: Any, webrtc: bool, expected: set[str]
) -> None:
    """Both run in every frame: the exam's text kept inside it, and WebRTC removed."""
    owner = QObject()
    page = GuardedPage(QWebEngineProfile(owner), owner, "block", clipboard=clipboard,
                       webrtc=webrtc)  # fmt: skip
    found = {s.name(): s.runsOnSubFrames() for s in page.scripts().toList()}
    assert set(found) == expected
    assert all(found.values())
    sip.delete(page)
    sip.delete(owner)


def test_keys_typed_right_after_the_paste_key_land_after_the_pasted_text(
    page: KioskApp, key_filter: Any, guard: Any, qtbot: QtBot, clipboard: QClipboard
) -> None:
    """The kiosk types its kept copy in from a script, which the engine runs when it will (here
    300 ms late, as on a busy machine): the keys after the paste key wait for it, as they
    would after a real paste."""
    page.lockdown.clipboard.stop()
    keeper, _ = guard("isolated")

    def late(text: str, done: Callable[[], None]) -> None:  # the engine busy for a moment
        QTimer.singleShot(300, lambda: page.window.page.insert_text(text, done))

    keeper.insert = late
    keys, _ = key_filter(lambda: [page.window], KeyPolicy(clipboard="isolated"),
                         paste_allowed=keeper.paste_allowed)  # fmt: skip
    keys.pasting = lambda: keeper.pasting
    keeper.on_pasted = keys.release_held
    keeper.start()
    for chord in ("I", "N", "Ctrl+A", "Ctrl+C"):
        click(page, chord)
    qtbot.waitUntil(lambda: keeper.holds_copy, timeout=5_000)
    for chord in ("Tab", "Ctrl+V", "X", "Y"):  # no wait between them: a student typing on
        click(page, chord)
    wait_page(qtbot, page, "document.getElementById('second').value", lambda v: len(v) >= 4)
    assert evaluate(qtbot, page, "document.getElementById('second').value") == "inxy"


def test_the_paste_lands_where_the_key_just_before_it_put_the_caret(
    page: KioskApp, key_filter: Any, guard: Any, qtbot: QtBot, clipboard: QClipboard
) -> None:
    """A key reaches the page through the engine's input thread, a script straight to the
    page's main thread: on a loaded machine the Tab typed just before the paste key can reach
    the page after the paste's script (CI saw it once). Here the Tab goes to the engine a
    moment late, just after the paste began: the paste still lands where the Tab put the
    caret, and the marker key that orders it never reaches the page's own listeners."""
    page.lockdown.clipboard.stop()
    keeper, _ = guard("isolated")
    target = page.window.view.focusProxy()
    assert target is not None

    def tab_late(text: str, done: Callable[[], None]) -> None:
        page.window.page.insert_text(text, done)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QCoreApplication.sendEvent(target, QKeyEvent(kind, Qt.Key.Key_Tab, MOD.NoModifier))

    keeper.insert = tab_late
    key_filter(lambda: [page.window], KeyPolicy(clipboard="isolated"),
               paste_allowed=keeper.paste_allowed)  # fmt: skip
    keeper.start()
    for chord in ("I", "N", "Ctrl+A", "Ctrl+C"):
        click(page, chord)
    qtbot.waitUntil(lambda: keeper.holds_copy, timeout=5_000)
    click(page, "Ctrl+V")
    both = "document.getElementById('answer').value + '|' + document.getElementById('second').value"
    assert wait_page(qtbot, page, both, lambda v: v != "in|") == "in|in"
    click(page, "X")
    assert "F24" not in typed_keys(qtbot, page)


def test_a_real_f24_key_is_the_pages_when_no_paste_waits(
    page: KioskApp, key_filter: Any, qtbot: QtBot
) -> None:
    key_filter(lambda: [page.window], KeyPolicy(clipboard="isolated"))
    for chord in ("F24", "X"):
        click(page, chord)
    assert typed_keys(qtbot, page) == ["F24", "x"]


def test_page_settings_keep_scripts_off_the_clipboard(qapp: QApplication) -> None:
    attr = QWebEngineSettings.WebAttribute
    for mode, allowed in (("block", False), ("isolated", False), ("allow", True)):
        profile = QWebEngineProfile()
        settings = profile.settings()
        assert settings is not None
        settings.setAttribute(attr.JavascriptCanAccessClipboard, True)
        settings.setAttribute(attr.JavascriptCanPaste, True)
        lock_engine_settings(settings, mode)  # type: ignore[arg-type]
        assert settings.testAttribute(attr.JavascriptCanAccessClipboard) is allowed
        # Reading the clipboard without the student's paste gesture: never, in any mode.
        assert settings.testAttribute(attr.JavascriptCanPaste) is False
        del settings
        sip.delete(profile)


def test_a_paste_the_page_never_takes_holds_the_keys_one_second_at_most(
    qtbot: QtBot, clipboard: QClipboard, guard: Any
) -> None:
    keeper, _ = guard("isolated")
    keeper.insert = lambda text, done: None  # the page is gone: no answer comes
    told: list[bool] = []
    keeper.on_pasted = lambda: told.append(True)
    keeper.start()
    clipboard.setText("copied inside the exam")
    assert keeper.holds_copy
    assert keeper.paste_allowed(False) is False
    assert keeper.pasting
    qtbot.waitUntil(lambda: not keeper.pasting, timeout=3_000)
    assert told == [True]


@pytest.mark.parametrize("allowed", [True, False], ids=["allowed", "refused"])
def test_the_zoom_keys_zoom_the_exam_where_zoom_is_allowed(
    make_kiosk: Callable[..., KioskApp], server: ReportServer, qtbot: QtBot, allowed: bool
) -> None:
    config = KioskConfig.model_validate({"policy": {"allow_zoom": allowed}})
    app = make_kiosk(server.url("keys.html"), config)  # the lockdown's own filter, this time
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow, timeout=10_000)
    ready = "document.readyState == 'complete' && document.activeElement.id == 'answer'"
    wait_page(qtbot, app, f"({ready}) && document.hasFocus()", lambda ok: ok is True, 20)
    view = app.window.view
    steps = [("Ctrl+Equal", 1.1), ("Ctrl+Plus", 1.25), ("Ctrl+Minus", 1.1), ("Ctrl+0", 1.0),
             ("Ctrl+Minus", 0.9)]  # fmt: skip
    for chord, factor in steps:
        click(app, chord)
        if allowed:
            qtbot.waitUntil(lambda f=factor: abs(view.zoomFactor() - f) < 1e-6, timeout=5000)
    click(app, "X")
    typed_keys(qtbot, app)  # every key has been through the filter
    assert view.zoomFactor() == (0.9 if allowed else 1.0)


@pytest.mark.parametrize("allowed", [True, False], ids=["allowed", "refused"])
def test_the_reload_key_reloads_the_exam_where_reload_is_allowed(
    make_kiosk: Callable[..., KioskApp], server: ReportServer, qtbot: QtBot, allowed: bool
) -> None:
    config = KioskConfig.model_validate({"policy": {"allow_reload": allowed}})
    app = make_kiosk(server.url("keys.html"), config)
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow, timeout=10_000)
    ready = "document.readyState == 'complete' && document.activeElement.id == 'answer'"
    wait_page(qtbot, app, f"({ready}) && document.hasFocus()", lambda ok: ok is True, 20)
    evaluate(qtbot, app, "window.before = 'the page before F5'")
    click(app, "F5")
    if allowed:
        wait_page(qtbot, app, "window.before === undefined && document.readyState",
                  lambda state: state == "complete")  # fmt: skip
    else:
        wait_page(qtbot, app, f"({ready}) && document.hasFocus()", lambda ok: ok is True, 20)
        click(app, "X")
        typed_keys(qtbot, app)  # F5 has been through the filter
        assert evaluate(qtbot, app, "window.before") == "the page before F5"
