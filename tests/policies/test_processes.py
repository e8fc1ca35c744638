"""Prohibited programs and remote sessions with SEB's semantics, over processes as
detectors/processes.py describes them."""

from __future__ import annotations

from dataclasses import dataclass

from policies.processes import (
    REMOTE,
    Rules,
    decide_setup,
    during_exam,
    find,
    may_end,
    remote_display,
)


@dataclass(frozen=True)
class Proc:
    pid: int
    names: tuple[str, ...]
    uid: int = 1000
    start: int = 1

    def as_detail(self) -> dict[str, object]:
        return {"name": self.names[0], "pid": self.pid, "program": f"/usr/bin/{self.names[0]}"}


DEFAULT = Rules.of([], [], [])


def test_the_default_list_names_each_by_category() -> None:
    found = find([Proc(1, ("obs",)), Proc(2, ("bash",)), Proc(3, ("anydesk",)),
                  Proc(4, ("Discord",)), Proc(5, ("chromedriver",))], DEFAULT)  # fmt: skip
    assert [(f.process.pid, f.category) for f in found] == [
        (1, "screen recorder"), (3, REMOTE), (4, "messenger or meeting"), (5, "automation"),
    ]  # fmt: skip


def test_a_seb_entry_for_windows_finds_the_same_program_here() -> None:
    rules = Rules.of(["TeamViewer.exe", "g2mcomm.exe", "Photo Booth.app"], [], [],
                     use_default=False)  # fmt: skip
    found = find([Proc(1, ("teamviewer",)), Proc(2, ("g2mcomm",)), Proc(3, ("photo booth",))],
                 rules)  # fmt: skip
    assert [f.process.pid for f in found] == [1, 2, 3]
    assert {f.category for f in found} == {"on the exam's list"}


def test_any_of_its_names_counts_and_the_kernels_cut_of_a_long_one_too() -> None:
    # comm says "python3", the program file says what it is
    assert find([Proc(1, ("python3", "simplescreenrecorder"))], DEFAULT)
    # comm alone (a program whose file cannot be read): cut to 15 bytes by the kernel
    (found,) = find([Proc(2, ("chrome-remote-d",))], DEFAULT)
    assert found.category == REMOTE


def test_permitted_programs_and_assistive_tools_are_never_prohibited() -> None:
    rules = Rules.of(["orca", "zoom"], ["Zoom.exe"], ["orca"])
    assert (
        find([Proc(1, ("zoom",)), Proc(2, ("orca",)), Proc(3, ("slack",))], rules)[0].process.pid
        == 3
    )


def test_a_remote_display_and_xrdp_are_remote_sessions_and_a_local_display_is_not() -> None:
    assert remote_display({"DISPLAY": ":0"}) == []
    assert remote_display({"DISPLAY": "unix:0"}) == []
    assert remote_display({"DISPLAY": "/tmp/launch-x/org.xquartz:0"}) == []
    said = remote_display({"DISPLAY": "localhost:10.0", "XRDP_SESSION": "1"})
    assert said == ["DISPLAY=localhost:10.0: a display on localhost, not this computer's screen",
                    "XRDP_SESSION=1: an xrdp session"]  # fmt: skip


FOUND = find([Proc(7, ("obs",)), Proc(8, ("x11vnc",))], DEFAULT)


def test_setup_refuses_a_remote_session_first_then_prohibited_programs() -> None:
    verdict = decide_setup(FOUND, [], "block", "block")
    assert (verdict.proceed, verdict.code) == (False, 4102)
    assert verdict.why == "a remote session: x11vnc (pid 8, remote control)"
    verdict = decide_setup(FOUND, [], "block", "off")
    assert (verdict.proceed, verdict.code) == (False, 4103)
    assert verdict.why == "close these programs first: obs (pid 7, screen recorder)"
    assert verdict.checks["remoteSession"] == "not checked"


def test_warn_goes_on_and_is_evidence_when_monitoring_starts() -> None:
    verdict = decide_setup(FOUND, ["XRDP_SESSION=1: an xrdp session"], "warn", "warn")
    assert verdict.proceed and verdict.code is None
    codes = [code for code, _ in verdict.at_start]
    assert codes == [5104, 5105]
    assert verdict.at_start[1][1]["running"] == "before the exam"


def test_off_is_not_checked_at_all() -> None:
    verdict = decide_setup(FOUND, ["DISPLAY=h:0"], "off", "off")
    assert verdict.proceed and verdict.at_start == []
    assert [during_exam(f, "off", "off") for f in FOUND] == [None, None]
    assert [during_exam(f, "block", "warn") for f in FOUND] == [5105, 5104]


def test_only_the_students_own_programs_are_ended_never_the_kiosks_line() -> None:
    (obs,) = find([Proc(7, ("obs",), uid=1000)], DEFAULT)
    (roots,) = find([Proc(9, ("obs",), uid=0)], DEFAULT)
    assert may_end(obs, 1000, {1, 50})
    assert not may_end(roots, 1000, {1, 50})
    assert not may_end(obs, 1000, {7})  # what led to the kiosk
