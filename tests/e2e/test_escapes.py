"""A determined student against the running kiosk: every attempt one by one, table-driven.

One ``kiosk run`` (a subprocess, fullscreen under openbox) runs an exam with tabSwitch,
captureSwitchedTab and forceFullScreen. Each row tries one way out (a shortcut sent with
xdotool, a script the exam page runs, something done to the desktop), waits for the evidence it
must leave, then checks the exam is still locked: the same exam page instance answers, at the same
URL, and the kiosk window is the active window and fullscreen. The tally is printed at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import plistlib
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.platform.x11.session import X11Session
from tests.support.other_program import other_program
from tests.support.paths import REPO
from tests.support.process import KioskProcess
from tests.support.server import ReportServer
from tests.support.tally import ESCAPES
from tests.support.wm import keyboard_grab_status, net_wm_state, set_fullscreen
from tests.support.xdo import active_window, xdotool

OPTIONS = {
    "trackingOptions": {"tabSwitch": True, "captureSwitchedTab": True, "forceFullScreen": True}
}


def wait(what: str, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return found


@dataclass
class Exam:
    proc: KioskProcess
    server: ReportServer
    run: str
    window: str
    page_id: str
    url: str
    display: str

    def reports(self) -> list[dict[str, Any]]:
        return self.server.reports_of(self.run)

    def codes(self) -> list[int]:
        """The page's error and evidence codes, without 5106: the rows' own helper programs
        are clients of the display, named as they stay (tests/e2e/test_computer.py tests
        that); these rows count switches away."""
        out = []
        for r in self.reports():
            if r.get("type") == "event":
                code = r["detail"].get("evidenceCode") or r["detail"].get("errorCode")
                if code and code != 5106:
                    out.append(code)
        return out

    def run_js(self, js: str, timeout: float = 10.0) -> dict[str, Any]:
        """Runs ``js`` in the exam page; returns its report (from whichever page answers)."""
        ident = self.server.command(self.run, js)
        return wait(
            f"the page to run {js!r}",
            lambda: next(
                (r for r in self.reports() if r.get("type") == "did" and r["id"] == ident), None
            ),
            timeout,
        )


def launched_from_a_seb_file(folder: Path, url: str, port: int) -> tuple[str, list[str]]:
    """The same exam as a school's .seb launches it: its URL filter admits only the exam's
    server, and quitting is not allowed; the exam page calls setup() and start() itself, so
    the kiosk's configuration keeps autostart off."""
    settings = {
        "startURL": url,
        "allowQuit": False,
        "URLFilterEnable": True,
        "URLFilterRules": [
            {"action": 1, "active": True, "expression": f"127.0.0.1:{port}", "regex": False}
        ],
    }
    (folder / "exam.seb").write_bytes(plistlib.dumps(settings))
    (folder / "kiosk.toml").write_text("[session]\nautostart = false\n")
    return str(folder / "exam.seb"), ["--config", str(folder / "kiosk.toml")]


@pytest.fixture(scope="module", params=["url", "seb file"])
def exam(
    request: pytest.FixtureRequest,
    server: ReportServer,
    display: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Exam]:
    """Every attempt runs twice: against an exam opened by its URL, and by a .seb file."""
    folder = tmp_path_factory.mktemp("escapes")
    run = "escapes-" + os.urandom(4).hex()
    url = server.exam_url(run, "", OPTIONS, page="escape.html")
    target, extra = url, []
    if request.param == "seb file":
        target, extra = launched_from_a_seb_file(folder, url, server.port)
    config = getattr(request.module, "EXAM_CONFIG", "")  # a module's own policy, if any
    if config:  # added to the .seb run's own configuration (autostart off), not over it
        own = folder / "kiosk.toml"
        own.write_text((own.read_text() if own.exists() else "") + config)
        if "--config" not in extra:
            extra = [*extra, "--config", str(own)]
    # INFO: the kiosk's stderr then tells what it saw and did, for any failing attempt.
    proc = KioskProcess(folder, target, *extra, env={**os.environ, "KIOSK_LOG_LEVEL": "INFO"})
    try:
        ready = server.wait_for(
            run, lambda r: any(x["type"] in ("ready", "setup-failed") for x in r)
        )
        first = next(x for x in ready if x["type"] in ("ready", "setup-failed"))
        assert first["type"] == "ready", first
        window = xdotool("search", "--sync", "--onlyvisible", "--name", "^kiosk$").split()[0]
        yield Exam(proc, server, run, window, first["pageId"], url, display.display)
        proc.assert_clean()
    finally:
        proc.kill()


def locked(exam: Exam) -> list[str]:
    """Everything that is not as it must be after an attempt (empty: still locked)."""
    problems = []
    if exam.proc.proc.poll() is not None:
        return [f"the kiosk exited with {exam.proc.proc.returncode}"]
    answer = exam.run_js("return 1;")
    if answer["pageId"] != exam.page_id:
        problems.append(f"another page answers: {answer['href']}")
    elif answer["href"] != exam.url:
        problems.append(f"the exam page moved to {answer['href']}")
    try:
        wait("the kiosk to be active", lambda: active_window() == exam.window, 5)
    except AssertionError:
        now = active_window() or "none"
        problems.append(f"the kiosk window is not the active window ({now} is, not {exam.window})")
    try:
        wait("fullscreen", lambda: "FULLSCREEN" in net_wm_state(exam.window), 5)
    except AssertionError:
        problems.append(f"the kiosk window is not fullscreen ({net_wm_state(exam.window)})")
    return problems


def decided(exam: Exam, since: int, policy: str, start: str = "") -> list[tuple[str, str, dict]]:
    return [d for d in exam.proc.decisions()[since:] if d[0] == policy and d[1].startswith(start)]


# -- the attempts --------------------------------------------------------------------------------

#: Shortcuts, as xdotool names them, with the chord the kiosk must record as refused.
SHORTCUTS = [
    ("ctrl+n", "Ctrl+N"), ("ctrl+t", "Ctrl+T"), ("ctrl+w", "Ctrl+W"), ("ctrl+q", "Ctrl+Q"),
    ("ctrl+p", "Ctrl+P"), ("ctrl+s", "Ctrl+S"), ("ctrl+o", "Ctrl+O"), ("ctrl+u", "Ctrl+U"),
    ("ctrl+l", "Ctrl+L"), ("F5", "F5"), ("ctrl+r", "Ctrl+R"), ("F11", "F11"), ("F12", "F12"),
    ("ctrl+shift+i", "Ctrl+Shift+I"), ("ctrl+shift+j", "Ctrl+Shift+J"),
    ("ctrl+shift+c", "Ctrl+Shift+C"), ("alt+Left", "Alt+Left"), ("alt+Right", "Alt+Right"),
    ("alt+F4", "Alt+F4"), ("alt+Tab", "Alt+Tab"), ("ctrl+plus", "Ctrl+Shift+Plus"),
    ("ctrl+minus", "Ctrl+Minus"), ("ctrl+0", "Ctrl+0"),
]  # fmt: skip


@pytest.mark.parametrize(("keys", "chord"), SHORTCUTS, ids=[s[0] for s in SHORTCUTS])
def test_shortcut(exam: Exam, keys: str, chord: str) -> None:
    since = len(exam.proc.decisions())
    xdotool("key", keys)
    try:
        evidence = wait(
            f"{chord} refused",
            lambda: [d for d in decided(exam, since, "keys", "refused") if d[2]["chord"] == chord],
        )
    except AssertionError:
        recorded = decided(exam, since, "keys")
        raise AssertionError(f"{chord} not refused; recorded: {recorded}") from None
    problems = locked(exam)
    ESCAPES.record(f"key {keys}", bool(problems))
    assert not problems, problems
    assert len(evidence) == 1


def test_escape_reaches_the_page_but_never_leaves_fullscreen(exam: Exam) -> None:
    exam.run_js(
        "window.__esc = 0; addEventListener('keydown', e => { if (e.key === 'Escape') __esc++; });"
    )
    xdotool("key", "Escape")
    seen = wait(
        "the page to get Escape", lambda: exam.run_js("if (!__esc) throw 'no';")["error"] is None
    )
    problems = locked(exam)
    ESCAPES.record("key Escape", bool(problems))
    assert seen and not problems, problems


def test_the_keyboard_is_grabbed_so_the_window_manager_gets_no_keys(exam: Exam) -> None:
    status = keyboard_grab_status(exam.display)
    ESCAPES.record("grab the keyboard from another client", status != 1)
    assert status == 1, "another client could grab the keyboard (1 = AlreadyGrabbed)"


OTHER = "http://localhost:{port}/outside.html"


@dataclass(frozen=True)
class PageAttempt:
    name: str
    js: str
    policy: str | None  # the decision the kiosk must record (None: the engine refuses it)
    start: str = ""
    click: bool = False  # the page's own script cannot do it: the student clicks #target
    #: For an attempt the engine refuses by itself (no policy decides it), what proves the
    #: engine has answered: a line the page's console writes to the kiosk's log (the escape
    #: kiosk logs at INFO). Without it, the attempt's own script awaits the engine's answer.
    console: str = ""


PAGE_ATTEMPTS = [
    PageAttempt("window.open elsewhere", "window.open('{other}');", "navigation", "refused"),
    PageAttempt("target=_blank link", "document.getElementById('blank').href = '{other}';"
                "document.getElementById('blank').click();", "navigation", "refused"),
    PageAttempt("location elsewhere", "setTimeout(() => location.href = '{other}', 0);",
                "navigation", "refused"),
    # The engine's answer (the promise settles) is the witness that it is done.
    PageAttempt("document.exitFullscreen", "return document.exitFullscreen()"
                ".then(() => 'exited', (e) => 'refused: ' + e.name);", None),
    PageAttempt("window.close", "window.close();", "quit", "refused"),
    PageAttempt("print", "window.print();", "print", "refused"),
    PageAttempt("download", "const a = document.createElement('a');"
                "a.href = URL.createObjectURL(new Blob(['answers'])); a.download = 'a.txt';"
                "document.body.append(a); a.click();", "download", "refused"),
    PageAttempt("blob top-level", "const u = URL.createObjectURL(new Blob(['<h1>x</h1>'],"
                "{{type: 'text/html'}})); setTimeout(() => location.href = u, 0);",
                "navigation", "refused"),
    # Chromium itself refuses a page's top-level navigation to data: (it never reaches us).
    PageAttempt("data top-level", "setTimeout(() => location.href = "
                "'data:text/html,<h1>gone</h1>', 0);", None,
                console="Not allowed to navigate top frame to data URL"),
    PageAttempt("foreign form", "const f = document.getElementById('foreign');"
                "f.action = '{other}'; setTimeout(() => f.submit(), 0);", "navigation", "refused"),
    PageAttempt("foreign iframe", "document.getElementById('slot').innerHTML ="
                "'<iframe src=\"{other}\"></iframe>';", "navigation", "refused"),
    PageAttempt("foreign image", "new Image().src = '{other}?img';", "request", "refused"),
    PageAttempt("file chooser", "const i = document.createElement('input'); i.type = 'file';"
                "i.id = 'target'; i.style = 'position:fixed;left:0;top:0;width:400px;"
                "height:200px;z-index:9'; document.body.append(i);", "upload", "refused",
                click=True),
]  # fmt: skip


@pytest.mark.parametrize("attempt", PAGE_ATTEMPTS, ids=[a.name for a in PAGE_ATTEMPTS])
def test_page_script(exam: Exam, attempt: PageAttempt) -> None:
    since = len(exam.proc.decisions())
    other = OTHER.format(port=exam.server.port)
    answer = exam.run_js(attempt.js.format(other=other))
    assert answer["error"] is None, answer
    if attempt.click:
        xdotool("mousemove", "100", "100", "click", "1")
    if attempt.policy is not None:
        policy = attempt.policy
        wait(f"a {policy} decision", lambda: decided(exam, since, policy, attempt.start))
    elif attempt.console:
        wait("the engine's refusal", lambda: attempt.console in exam.proc.stderr())
    else:
        assert answer["value"] is not None, answer  # the engine answered the page
    problems = locked(exam)
    ESCAPES.record(f"page {attempt.name}", bool(problems))
    assert not problems, problems


def new_codes(exam: Exam, before: int) -> list[int]:
    return exam.codes()[before:]


def test_another_window_activated_is_recorded_with_a_screenshot_and_taken_back(
    exam: Exam,
) -> None:
    before, since = len(exam.codes()), len(exam.proc.decisions())
    intruder = subprocess.Popen(
        [sys.executable, "tests/support/intruder.py"], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert intruder.stdout is not None and intruder.stdout.readline().strip() == "shown"
        wait("5005 then 5006", lambda: new_codes(exam, before)[:2] == [5005, 5006])
        problems = locked(exam)
    finally:
        intruder.terminate()
        intruder.wait(10)
        if intruder.stdout is not None:
            intruder.stdout.close()
    ESCAPES.record("another window activated", bool(problems))
    assert not problems, problems
    assert decided(exam, since, "focus", "taken back")
    lost = [r for r in exam.reports() if r.get("type") == "event"
            and r["detail"].get("evidenceCode") == 5005][-1]["detail"]  # fmt: skip
    shot = Path(lost["screenshot"]["path"])
    assert shot.stat().st_mode & 0o777 == 0o600
    assert shot.read_bytes()[:2] == b"\xff\xd8"  # a JPEG of the whole screen


def test_minimise_is_undone_within_a_fraction_of_a_second(exam: Exam) -> None:
    before, since = len(exam.codes()), len(exam.proc.decisions())
    xdotool("windowminimize", exam.window)
    wait("5005 then 5006", lambda: new_codes(exam, before)[:2] == [5005, 5006])
    problems = locked(exam)
    ESCAPES.record("minimise", bool(problems))
    assert not problems, problems
    # Undone by whichever notices first: Qt (fullscreen put back) or the X server watcher
    # (the iconified window mapped again).
    undone = decided(exam, since, "fullscreen", "restored") + decided(exam, since, "window")
    assert undone, exam.proc.decisions()[since:]
    away = [r for r in exam.reports() if r.get("type") == "event"
            and r["detail"].get("evidenceCode") == 5006][-1]["detail"]["awaySeconds"]  # fmt: skip
    assert away < 1.0


def test_the_window_manager_taking_fullscreen_away_is_undone(exam: Exam) -> None:
    before, since = len(exam.codes()), len(exam.proc.decisions())
    for _ in range(5):  # openbox now and then drops a state message that comes too early
        set_fullscreen(exam.display, int(exam.window), on=False)
        try:
            wait("5005", lambda: 5005 in new_codes(exam, before), 2)
            break
        except AssertionError:
            continue
    try:
        wait("5005 then 5006", lambda: new_codes(exam, before)[:2] == [5005, 5006])
    except AssertionError:
        raise AssertionError(
            f"codes {new_codes(exam, before)}, decisions {exam.proc.decisions()[since:]}, "
            f"state {net_wm_state(exam.window)}"
        ) from None
    problems = locked(exam)
    ESCAPES.record("window manager leaves fullscreen", bool(problems))
    assert not problems, problems
    restored = decided(exam, since, "fullscreen", "restored")
    assert restored and "left fullscreen" in restored[0][2]["cause"]


def test_a_monitor_added_during_the_exam_is_5007_and_covered(exam: Exam) -> None:
    before = len(exam.codes())
    name = "KIOSK-ESCAPE"
    subprocess.run(["xrandr", "--setmonitor", name, "640/169x800/211+640+0", "none"], check=True)
    try:
        wait("5007", lambda: 5007 in new_codes(exam, before))
        covers = wait(
            "a blank cover",
            lambda: xdotool("search", "--onlyvisible", "--name", "^kiosk: unused screen$"),
        )
        assert covers
    finally:
        subprocess.run(["xrandr", "--delmonitor", name], check=True)
    problems = locked(exam)
    ESCAPES.record("xrandr monitor added", bool(problems))
    assert not problems, problems
    added = [r for r in exam.reports() if r.get("type") == "event"
             and r["detail"].get("evidenceCode") == 5007][-1]["detail"]  # fmt: skip
    assert name in json.dumps(added)


def xrandr(*args: str) -> None:
    subprocess.run(["xrandr", *args], check=True, timeout=10)


def window_size(exam: Exam) -> str:
    out = xdotool("getwindowgeometry", exam.window)
    return out.split("Geometry:")[1].strip()


def test_a_resolution_change_leaves_the_exam_covering_the_new_screen(exam: Exam) -> None:
    mode = "1024x768_escape"
    xrandr("--newmode", mode, "63.50", "1024", "1072", "1176", "1328", "768", "771", "775",
           "798", "-hsync", "+vsync")  # fmt: skip
    xrandr("--addmode", "screen", mode)
    try:
        xrandr("--output", "screen", "--mode", mode)
        wait("the exam to fit 1024x768", lambda: window_size(exam) == "1024x768")
        xrandr("--output", "screen", "--mode", "1280x800")
        wait("the exam to cover 1280x800 again", lambda: window_size(exam) == "1280x800")
    finally:
        subprocess.run(["xrandr", "--output", "screen", "--mode", "1280x800"], check=False)
        subprocess.run(["xrandr", "--delmode", "screen", mode], check=False)
        subprocess.run(["xrandr", "--rmmode", mode], check=False)
    problems = locked(exam)
    ESCAPES.record("resolution change", bool(problems))
    assert not problems, problems


@pytest.fixture
def fighter() -> Iterator[None]:
    """Another program keeps 'SECRET-NOTES' on the clipboard and the selection."""
    with other_program("clipboard_fighter.py", "SECRET-NOTES", ready="fighting"):
        yield


def typed_after_paste(exam: Exam) -> str | None:
    """The answer box's text once the marker key "x" has arrived in it."""
    value: str = exam.run_js("return document.getElementById('answer').value;")["value"]
    return value if value.endswith("x") else None


def answer_box(exam: Exam) -> tuple[int, int]:
    """The centre of #answer on the screen (the window is fullscreen at 0,0), emptied and
    focused."""
    got = exam.run_js(
        "document.getElementById('target')?.remove();"  # the file chooser row's input
        "const a = document.getElementById('answer'); a.value = ''; a.focus();"
        "const r = a.getBoundingClientRect();"
        "return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];"
    )
    x, y = got["value"]
    return x, y


@pytest.mark.parametrize("how", ["ctrl+v", "middle click"])
def test_pasting_another_programs_text_is_refused(exam: Exam, fighter: None, how: str) -> None:
    since = len(exam.proc.decisions())
    x, y = answer_box(exam)
    if how == "ctrl+v":
        xdotool("key", "ctrl+v")
    else:
        xdotool("mousemove", str(x), str(y), "click", "2")
    try:
        wait("a refused paste", lambda: decided(exam, since, "clipboard", "paste refused"))
    except AssertionError:
        value = exam.run_js("return document.getElementById('answer').value;")["value"]
        raise AssertionError(f"{value!r} {exam.proc.decisions()[since:]}") from None
    # The witness: a key typed after the paste reaches the box, so a paste that got through
    # would be there before it.
    xdotool("key", "x")
    value = wait("the key typed after the paste", lambda: typed_after_paste(exam))
    escaped = "SECRET" in value
    problems = locked(exam)
    ESCAPES.record(f"paste another program's text ({how})", escaped or bool(problems))
    assert not escaped, value
    assert not problems, problems


# -- the exam's text read by another program (CLIPBOARD and PRIMARY) ---------------------------
# Another X client (tests/support/selection_reader.py) asks for CLIPBOARD and PRIMARY every few
# milliseconds while the student selects the question with the mouse, copies it, cuts an answer;
# under "isolated" (the default) it must be served none of it, and the copy still pastes inside
# the exam. The witness that the reader kept asking after each attempt: its round counter moved
# on after the page confirmed what was selected, copied or pasted.

QUESTION = "exam under attack"  # tests/pages/escape.html's heading


class Reader:
    def __init__(self, out: Path) -> None:
        self.out = out

    def lines(self) -> list[str]:
        return self.out.read_text().splitlines() if self.out.exists() else []

    def polls(self) -> int:
        counts = [int(m.group(1)) for x in self.lines() if (m := re.match(r"polls (\d+)", x))]
        return max(counts, default=0)

    def served(self) -> list[str]:
        return [x for x in self.lines() if x.startswith("READ ")]

    def caught_up(self) -> None:
        """Waits until the reader has asked for both selections 40 more times."""
        start = self.polls()
        wait("the reader to ask again", lambda: self.polls() >= start + 40)


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with other_program("selection_reader.py", str(tmp_path / "read"), ready="reading"):
        found = Reader(tmp_path / "read")
        found.caught_up()
        yield found


def select_question(exam: Exam) -> None:
    """Selects the question with the mouse, as a student would."""
    box = exam.run_js(
        "document.getElementById('target')?.remove();"  # the file chooser row's input, over it
        "const r = document.querySelector('h1').getBoundingClientRect();"
        "return [Math.round(r.left + 2), Math.round(r.top + r.height / 2), Math.round(r.right)];"
    )["value"]
    x0, y, x1 = box
    # After some earlier rows (the refused middle click, the file chooser) the engine swallows
    # the first clicks on the page; a student would click again, and so does this.
    for _ in range(3):
        xdotool("mousemove", "1200", "700", "click", "1")  # empty page
        # A triple click selects the whole heading, as a student's drag across it would.
        xdotool("mousemove", str((x0 + x1) // 4), str(y), "click", "--repeat", "3",
                "--delay", "60", "1")  # fmt: skip
        try:
            wait(
                "the page to hold the selection",
                lambda: QUESTION in exam.run_js("return getSelection().toString();")["value"],
                2,
            )
            return
        except AssertionError:
            continue
    seen = exam.run_js(
        f"return [document.elementFromPoint({x0}, {y})?.outerHTML.slice(0, 200),"
        "getSelection().toString(), document.activeElement?.outerHTML.slice(0, 100)];"
    )["value"]
    raise AssertionError(f"no selection of the question at {box}: {seen}")


def leaked(reader: Reader) -> list[str]:
    return [x for x in reader.served() if "attack" in x or "under" in x]


def test_selecting_the_question_publishes_no_primary_selection(exam: Exam, reader: Reader) -> None:
    select_question(exam)
    reader.caught_up()
    found = leaked(reader)
    problems = locked(exam)
    ESCAPES.record("another program reads the selected question (PRIMARY)", bool(found))
    assert not found, found
    assert not problems, problems


def test_a_copy_stays_inside_the_exam_and_still_pastes_there(exam: Exam, reader: Reader) -> None:
    select_question(exam)
    xdotool("key", "ctrl+c")
    reader.caught_up()
    answer_box(exam)
    xdotool("key", "ctrl+v")
    xdotool("key", "x")  # the witness: typed after the paste, so the paste came first
    value = wait("the key typed after the paste", lambda: typed_after_paste(exam))
    reader.caught_up()
    found = leaked(reader)
    problems = locked(exam)
    ESCAPES.record("another program reads the exam's copy (CLIPBOARD)", bool(found))
    assert not found, found
    assert value == QUESTION + "x", value  # copy and paste work inside the exam
    assert not problems, problems


def test_a_cut_answer_stays_inside_the_exam(exam: Exam, reader: Reader) -> None:
    answer_box(exam)
    xdotool("type", "secret answer")
    wait("the typed answer", lambda: exam.run_js(
        "return document.getElementById('answer').value;")["value"] == "secret answer")  # fmt: skip
    xdotool("key", "ctrl+a", "ctrl+x")
    wait("the cut", lambda: exam.run_js(
        "return document.getElementById('answer').value;")["value"] == "")  # fmt: skip
    xdotool("key", "ctrl+v", "x")
    value = wait("the key typed after the paste", lambda: typed_after_paste(exam))
    reader.caught_up()
    found = [x for x in reader.served() if "secret answer" in x]
    problems = locked(exam)
    ESCAPES.record("another program reads the exam's cut (CLIPBOARD)", bool(found))
    assert not found, found
    assert value == "secret answerx", value
    assert not problems, problems


def test_the_exams_copy_pastes_into_a_frame_of_the_exam(exam: Exam, reader: Reader) -> None:
    """The kiosk types its kept copy where the caret is, in whichever frame has it."""
    select_question(exam)
    xdotool("key", "ctrl+c")
    reader.caught_up()
    x, y = exam.run_js(
        "const f = document.createElement('iframe'); f.id = 'sheet';"
        "f.srcdoc = '<textarea id=t></textarea>';"
        "document.getElementById('slot').replaceChildren(f);"
        "return new Promise((done) => f.addEventListener('load', () => {"
        "  const r = f.getBoundingClientRect();"
        "  done([Math.round(r.left + 20), Math.round(r.top + 20)]); }));"
    )["value"]
    sheet = "return document.getElementById('sheet').contentDocument.getElementById('t').value;"
    xdotool("mousemove", str(x), str(y), "click", "1")
    xdotool("key", "ctrl+v", "x")
    value = wait("the key typed after the paste", lambda: (v := exam.run_js(sheet)["value"])
                 .endswith("x") and v)  # fmt: skip
    reader.caught_up()
    found = leaked(reader)
    problems = locked(exam)
    ESCAPES.record("another program reads the exam's copy pasted in a frame", bool(found))
    assert not found, found
    assert value == QUESTION + "\nx", value  # a textarea keeps the heading's line end
    assert not problems, problems


def test_the_pages_own_paste_listener_may_refuse_a_paste_of_the_exams_copy(
    exam: Exam, reader: Reader
) -> None:
    """An exam that forbids pasting into an answer is obeyed: the kiosk's paste of its kept
    copy is a paste event first, with the text, and the page's preventDefault stops it."""
    select_question(exam)
    xdotool("key", "ctrl+c")
    reader.caught_up()
    answer_box(exam)
    exam.run_js(
        "window.__pasted = []; document.getElementById('answer').addEventListener('paste',"
        " (e) => { __pasted.push(e.clipboardData.getData('text/plain')); e.preventDefault(); },"
        " {once: true});"
    )
    xdotool("key", "ctrl+v", "x")
    value = wait("the key typed after the paste", lambda: typed_after_paste(exam))
    pasted = exam.run_js("return window.__pasted;")["value"]
    problems = locked(exam)
    ESCAPES.record("paste past the page's own paste refusal", QUESTION in value)
    assert value == "x", value
    assert [text.strip() for text in pasted] == [QUESTION], pasted
    assert not problems, problems


def test_dragging_the_question_offers_it_to_no_other_program(exam: Exam) -> None:
    """On X11 a drag offers its data as the XdndSelection, to any client that asks."""
    exam.run_js("window.__drags = 0; addEventListener('dragstart', () => { __drags += 1; });")
    select_question(exam)
    x0, y = exam.run_js(
        "const r = document.querySelector('h1').getBoundingClientRect();"
        "return [Math.round(r.left + r.width / 4), Math.round(r.top + r.height / 2)];"
    )["value"]
    owners = []
    with X11Session(exam.display) as x:
        xdotool("mousemove", str(x0), str(y), "mousedown", "1")
        try:
            for step in range(1, 16):
                xdotool("mousemove", str(x0 + 20 * step), str(y + 25 * step))
                owners.append(x.selection_owner("XdndSelection"))
                time.sleep(0.05)
        finally:
            xdotool("mouseup", "1")
    drags = wait("the page to see the drag start", lambda: exam.run_js(
        "return window.__drags;")["value"])  # fmt: skip
    offered = [o for o in owners if o]
    problems = locked(exam)
    ESCAPES.record("another program offered the dragged question (XdndSelection)", bool(offered))
    assert drags >= 1
    assert not offered, owners
    assert not problems, problems


def test_webrtc_is_off_unless_a_policy_allows_it(exam: Exam) -> None:
    """No RTC interface in the exam page (the network rows run with a policy that allows
    WebRTC, and show that it then reaches only admitted hosts). Frames are not checked: once a
    navigation was refused, Chromium runs no injected script in frames made later (measured;
    docs/network.md), and the network switches hold WebRTC there."""
    found = exam.run_js(
        "return [typeof RTCPeerConnection, typeof webkitRTCPeerConnection,"
        " typeof RTCDataChannel, typeof RTCIceCandidate, typeof RTCSessionDescription];"
    )["value"]
    problems = locked(exam)
    available = [kind for kind in found if kind != "undefined"]
    ESCAPES.record("WebRTC in the page with the policy off", bool(available))
    assert not available, found
    assert not problems, problems


def test_the_mouse_back_button_does_not_navigate(exam: Exam) -> None:
    since = len(exam.proc.decisions())
    exam.run_js(
        "window.__pops = 0; addEventListener('popstate', () => __pops++);"
        "history.pushState({step: 1}, ''); history.pushState({step: 2}, '');"
    )
    xdotool("mousemove", "640", "400", "click", "8")
    wait("MouseBack refused", lambda: decided(exam, since, "keys", "refused"))
    # The witness: the page's own back goes from step 2 to step 1. Had the mouse's back
    # button gone through first, it would have left step 2 already: two pops, at step 0.
    exam.run_js("history.back();")
    wait("the page's own back", lambda: exam.run_js("return window.__pops;")["value"] >= 1)
    got = exam.run_js("return [window.__pops, history.state && history.state.step];")["value"]
    problems = locked(exam)
    ESCAPES.record("mouse back button", got != [1, 1] or bool(problems))
    assert got == [1, 1], got
    assert not problems, problems
    assert decided(exam, since, "keys", "refused")[0][2]["chord"] == "MouseBack"


@contextlib.contextmanager
def overlay(title: str) -> Iterator[None]:
    """Another program's override-redirect window over the exam, until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "tests/support/overlay.py", "100", "100", "600", "300", title],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("shown")
        yield
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def evidence(exam: Exam, code: int) -> list[dict[str, Any]]:
    """The details of every ``code`` evidence event the page has received, in order."""
    return [r["detail"] for r in exam.reports() if r.get("type") == "event"
            and r["detail"].get("evidenceCode") == code]  # fmt: skip


def x_shown(exam: Exam) -> bool:
    from kiosk.platform.x11.session import X11Session

    with X11Session(exam.display) as x:
        state = x.window_state(int(exam.window))
        return state.exists and state.viewable and state.on_current_desktop


WINDOW_ATTACKS = [
    ("unmap the exam window", ["windowunmap", "{w}"]),
    ("move the exam to another desktop", ["set_desktop_for_window", "{w}", "1"]),
]


@pytest.mark.parametrize(("name", "args"), WINDOW_ATTACKS, ids=[a[0] for a in WINDOW_ATTACKS])
def test_another_program_hiding_the_exam_window(exam: Exam, name: str, args: list[str]) -> None:
    before, since = len(exam.codes()), len(exam.proc.decisions())
    try:
        xdotool(*(a.format(w=exam.window) for a in args))
        try:
            wait("5005 then 5006", lambda: new_codes(exam, before)[:2] == [5005, 5006])
        except AssertionError:
            raise AssertionError(
                f"{new_codes(exam, before)} {exam.proc.decisions()[since:]}"
            ) from None
        wait("the X server to show the exam", lambda: x_shown(exam), 5)
    finally:
        xdotool("set_desktop", "0", check=False)
    problems = locked(exam)
    ESCAPES.record(name, bool(problems))
    assert not problems, problems
    assert decided(exam, since, "window", "shown again")


def test_switching_desktops_leaves_the_exam_on_screen(exam: Exam) -> None:
    """The exam is on every desktop (sticky): another desktop is the exam again."""
    before = len(exam.codes())
    try:
        xdotool("set_desktop", "1")
        shown = x_shown(exam)
        # The witness: a window drawn over the exam on desktop 1 is what the watcher reports
        # first. Had the switch hidden the exam, "on another desktop" would have come before.
        with overlay("WITNESS"):
            wait("the watcher to see the overlay", lambda: 5005 in new_codes(exam, before))
        wait("5006", lambda: 5006 in new_codes(exam, before))
        codes = new_codes(exam, before)
        first = evidence(exam, 5005)[-1]["cause"]
    finally:
        xdotool("set_desktop", "0", check=False)
    problems = locked(exam)
    hidden = not shown or "WITNESS" not in first
    ESCAPES.record("switch to another desktop", hidden or bool(problems))
    assert shown and codes == [5005, 5006] and "WITNESS" in first, (codes, first)
    assert not problems, problems


def test_another_window_active_at_the_window_manager_behind_qts_back(exam: Exam) -> None:
    """The window manager says no window of the kiosk's is active, and Qt hears nothing of it
    (no focus-out): the kiosk believes the X server, not Qt, and takes the focus back."""
    since = len(exam.proc.decisions())
    subprocess.run(
        ["xprop", "-display", exam.display, "-root", "-f", "_NET_ACTIVE_WINDOW", "32x",
         "-set", "_NET_ACTIVE_WINDOW", "0"], check=True, timeout=10,
    )  # fmt: skip
    taken = wait("the kiosk to take the focus back", lambda: decided(exam, since, "focus"), 10)
    problems = locked(exam)
    ESCAPES.record("another window active behind Qt's back", bool(problems))
    assert not problems, (problems, exam.proc.decisions()[since:])
    assert taken[0][1] == "taken back", taken
    assert taken[0][2]["cause"] == "the window manager made another window active", taken


def test_another_programs_window_drawn_over_the_exam(exam: Exam) -> None:
    before, since = len(exam.codes()), len(exam.proc.decisions())
    with overlay("CHEAT SHEET"):
        try:
            wait("5005", lambda: 5005 in new_codes(exam, before))
        except AssertionError:
            raise AssertionError(
                f"{new_codes(exam, before)} {exam.proc.decisions()[since:]}\n"
                f"{exam.proc.stderr()[-3000:]}"
            ) from None
        lost = evidence(exam, 5005)[-1]
        assert "CHEAT SHEET" in lost["cause"]
        assert lost["screenshot"] is not None
        raised = wait("the kiosk to raise itself", lambda: decided(exam, since, "window", "raised"))
    wait("5006", lambda: 5006 in new_codes(exam, before))
    problems = locked(exam)
    ESCAPES.record("another program's window over the exam", bool(problems))
    assert not problems, problems
    assert raised


def test_zz_destroying_the_exam_window_brings_a_new_one(exam: Exam) -> None:
    """Last: the exam's X window is destroyed under Qt (xdotool windowclose); Qt makes a new
    one, which the rest of the module would not know."""
    before, since = len(exam.codes()), len(exam.proc.decisions())
    xdotool("windowclose", exam.window)
    wait("5005 then 5006", lambda: new_codes(exam, before)[:2] == [5005, 5006], 15)
    exam.window = wait(
        "a new exam window",
        lambda: xdotool("search", "--onlyvisible", "--name", "^kiosk$").split()[0],
    )
    problems = locked(exam)
    ESCAPES.record("destroy the exam window", bool(problems))
    assert not problems, problems
    assert decided(exam, since, "window", "shown again")
