"""The kiosk's Wayland login session: the kiosk as the one program of cage, run as a display
manager runs the session entry, on cage's headless backend (there is no screen here) as an
unprivileged user (cage refuses root). Inside its own cage the kiosk is locked down on Wayland;
in any other Wayland compositor (cage with console switching, cage nested in another desktop,
cage running something beside the kiosk, headless without a test machine's allowance) setup
fails with 4016 and says why."""

from __future__ import annotations

import configparser
import shlex

import pytest

from kiosk.launch.resolve import HEADLESS_COMPOSITOR
from tests.support.cage import CAGE, run_in_cage
from tests.support.paths import REPO
from tests.support.server import ReportServer, event_names

TEST_MACHINE = {"KIOSK_TEST_ALLOW_UNSAFE_ENGINE": "1"}


def test_in_its_own_cage_session_the_kiosk_is_locked_down_on_wayland(
    server: ReportServer, run_id: str
) -> None:
    url = server.exam_url(run_id, "setup,start,sleep500,stop,close")
    # as the package's session entry starts it: its settings, cage's options, its program
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(REPO / "packaging" / "linux" / "kiosk-wayland-session.desktop")
    words = shlex.split(entry["Desktop Entry"]["Exec"])
    assert words[0] == "env" and CAGE in words, words
    cage_at = words.index(CAGE)
    settings = dict(w.split("=", 1) for w in words[1:cage_at])
    options = tuple(words[cage_at + 1 : words.index("--")])
    app = ["{kiosk}" if w == "/usr/bin/kiosk" else w for w in words[words.index("--") + 1 :]]
    run = run_in_cage({"policy.toml": f'[session]\nstart_url = "{url}"\n'}, app,
                      cage_options=options, env={**TEST_MACHINE, **settings})  # fmt: skip
    assert run.status == 0, run.said
    reports = server.reports_of(run_id)
    assert event_names(reports) == [
        "apSuccessEvent:2001", "apSetupComplete", "apSetupCompleted", "apMonitoringStarted",
        "apMonitoringStopped",
    ], run.said  # fmt: skip
    checks = next(r["detail"] for r in reports if r.get("name") == "apSuccessEvent")
    assert checks["checks"]["lockdown"] == "locked"
    # headless is a test machine's allowance: announced, as every unsafe setting is
    assert checks["unsafeEngineSettings"] == [HEADLESS_COMPOSITOR]
    (record,) = run.records
    assert record.stat().st_uid != 0  # the unprivileged user's own record


def refused(server: ReportServer, run_id: str) -> str:
    """The cause 4016 gave, after the page saw setup() fail with it."""
    reports = server.wait_for(run_id, lambda r: any(x["type"] == "steps-done" for x in r))
    result = next(r for r in reports if r["type"] == "result" and r["step"] == "setup")
    assert (result["ok"], result["code"]) == (False, 4016), result
    assert "apSuccessEvent:2001" not in event_names(reports)
    error = next(r["detail"] for r in reports if r.get("name") == "apErrorEvent")
    return str(error["cause"])


@pytest.mark.parametrize(
    ("policy", "cage_options", "app", "said"),
    [
        ("", ("-s",), ["{kiosk}", "run", "{url}"],
         "cage was started with -s: the student can switch to another console"),
        # cage ends only once the sleep has: it is short, so the row is too
        ("", (), ["sh", "-c", 'sleep 15 & exec "$@"', "sh", "{kiosk}", "run", "{url}"],
         "cage launched other programs besides the kiosk: sleep"),
        ("", (), ["env", "-u", "WLR_BACKENDS", CAGE, "--", "{kiosk}", "run", "{url}"],
         "cage runs inside another desktop (its wayland backend)"),
        ("[engine]\nunsafe_engine_allowance = false\n", (), ["{kiosk}", "run", "{url}"],
         "cage runs headless: no screen the student sees is locked"),
    ],
    ids=["vt-switching", "another-program", "nested", "headless-on-a-school-computer"],
)  # fmt: skip
def test_in_any_other_wayland_compositor_setup_fails_with_4016_and_says_why(
    server: ReportServer, run_id: str, policy: str, cage_options: tuple[str, ...],
    app: list[str], said: str,
) -> None:  # fmt: skip
    url = server.exam_url(run_id, "setup,close")
    command = [url if word == "{url}" else word for word in app]
    run = run_in_cage({"policy.toml": policy}, command, cage_options=cage_options,
                      env=TEST_MACHINE)  # fmt: skip
    cause = refused(server, run_id)
    assert said in cause, cause
    assert run.status == 0, run.said


def test_doctor_inside_cage_says_what_the_compositor_is() -> None:
    run = run_in_cage({}, ["{kiosk}", "doctor", "--camera", "none", "--microphone", "none"])
    display = next(line for line in run.done.stdout.splitlines() if "display" in line)
    # doctor asks as a school's computer would: no test machine's allowance for headless
    assert "warning" in display and "cage runs headless" in display, run.done.stdout
