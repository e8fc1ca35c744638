"""Assistive technology is welcome: with a screen reader running (the real AT-SPI bus, in a
private D-Bus session, ``tests/support/atspi.py``), the exam page and the kiosk's own dialogs
are read and operated through the accessibility tree alone, and the screen reader's programs
are neither prohibited programs nor unknown clients of the exam's display."""

from __future__ import annotations

import hashlib
import json
import os
import plistlib
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.support.atspi import AccessibilityBus, until
from tests.support.process import KioskProcess
from tests.support.seb import encrypted
from tests.support.server import ReportServer, event_names, events
from tests.support.xdo import wait_active, xdotool

Start = Callable[..., KioskProcess]
PASSWORD = "teacher-says-done"


@pytest.fixture
def screen_reader(tmp_path: Path, display: object) -> Iterator[AccessibilityBus]:
    bus = AccessibilityBus(tmp_path / "a11y-runtime")
    yield bus
    bus.close()


def answer_page(server: ReportServer, run_id: str, options: Any = None) -> str:
    url = server.url(f"answer.html?run={run_id}")
    return url + ("&options=" + quote(json.dumps(options)) if options is not None else "")


def reported(server: ReportServer, run_id: str, kind: str) -> dict[str, Any]:
    got = server.wait_for(run_id, lambda r: any(x.get("type") == kind for x in r), 30)
    return next(x for x in got if x.get("type") == kind)


def test_a_screen_reader_reads_the_exam_page_and_answers_it(
    kiosk: Start, server: ReportServer, run_id: str, screen_reader: AccessibilityBus,
    program: Any, tmp_path: Path,
) -> None:  # fmt: skip
    reader = program("orca", on_display=True)  # the screen reader, connected to the display
    proc = kiosk(answer_page(server, run_id), env=screen_reader.env)
    assert reported(server, run_id, "result")["ok"] is True  # setup let the screen reader be
    page = screen_reader.app_showing("web document", "Accessible exam")
    said = page.all_text()
    assert "Question 1" in said and "What is the capital of France?" in said, said
    # As with Orca: the screen reader moves the focus, the student types and presses keys.
    wait_active("kiosk")
    field = until(lambda: page.find("text", "Your answer"), what=f"no entry in {said!r}")[0]
    field.do("SetFocus")
    assert reported(server, run_id, "focus")["on"] == "answer"
    xdotool("type", "--delay", "20", "Paris")
    assert until(lambda: "Paris" in field.text(), what="the field does not read back")
    button = until(lambda: page.find("push button", "Hand in"))[0]
    button.do("SetFocus")
    xdotool("key", "space")
    assert reported(server, run_id, "handed in")["answer"] == "Paris"
    setup = next(e["detail"] for e in events(server.reports_of(run_id))
                 if e["detail"].get("successCode") == 2001)  # fmt: skip
    clients = setup["checks"]["displayClients"]
    assert not [c for c in clients["unknown"] if "orca" in c or "spi" in c], clients
    assert "orca (assistive technology)" in clients["helpers"], clients
    assert "at-spi2-registr (assistive technology)" in clients["helpers"], clients
    assert reader.poll() is None
    proc.kill()


def test_the_consent_screen_is_read_out_and_answered_through_the_screen_reader(
    kiosk: Start, server: ReportServer, run_id: str, screen_reader: AccessibilityBus,
    face_clip: Path,
) -> None:  # fmt: skip
    options = {"trackingOptions": {"numHumans": True}}
    proc = kiosk(answer_page(server, run_id, options), "--camera", str(face_clip),
                 env=screen_reader.env)  # fmt: skip
    consent = screen_reader.app_showing("alert message", "kiosk: consent")
    said = consent.all_text()
    assert "This exam asks to use your camera." in said, said
    assert "analysed on this computer only" in said, said
    allow = consent.find("push button", "Allow")[0]
    allow.do("Press")
    assert reported(server, run_id, "result")["ok"] is True
    granted = next(e["detail"] for e in events(server.reports_of(run_id))
                   if e["detail"].get("successCode") == 2001)  # fmt: skip
    assert granted["checks"]["camera"] == "granted"
    proc.kill()


def test_the_quit_password_is_typed_into_the_kiosk_dialog_by_the_screen_reader(
    kiosk: Start, server: ReportServer, run_id: str, screen_reader: AccessibilityBus,
    tmp_path: Path,
) -> None:  # fmt: skip
    config = tmp_path / "kiosk.toml"
    stored = hashlib.sha256(PASSWORD.encode()).hexdigest()
    config.write_text(f'[policy]\nquit_password_hash = "{stored}"\n')
    proc = kiosk(answer_page(server, run_id), "--config", str(config), env=screen_reader.env)
    assert reported(server, run_id, "result")["ok"] is True
    wait_active("kiosk")
    xdotool("key", "alt+F4")
    asked = screen_reader.app_showing("dialog", "kiosk: quit")
    assert "Enter the quit password to leave" in asked.all_text()
    field = asked.find("text", "Enter the quit password")[0]  # named by its label
    field.type_in(PASSWORD)
    assert PASSWORD not in field.all_text()  # what is read out of it never gives it away
    asked.find("push button", "OK")[0].do("Press")
    assert proc.wait(15) == 0
    assert event_names(server.reports_of(run_id))[-1] == "apMonitoringStopped"


def test_an_encrypted_exams_settings_password_is_given_through_the_screen_reader(
    kiosk: Start, server: ReportServer, run_id: str, screen_reader: AccessibilityBus,
    tmp_path: Path,
) -> None:  # fmt: skip
    exam = tmp_path / "exam.seb"
    settings = {"startURL": answer_page(server, run_id), "allowQuit": True}
    exam.write_bytes(encrypted(plistlib.dumps(settings), PASSWORD))
    proc = kiosk(str(exam), env=screen_reader.env)
    asked = screen_reader.app_showing("dialog", "kiosk: the exam's settings password")
    assert "This exam's settings are protected" in asked.all_text()
    asked.find("text", "Enter the settings password")[0].type_in(PASSWORD)
    asked.find("push button", "OK")[0].do("Press")
    assert reported(server, run_id, "result")["ok"] is True  # the exam itself, opened
    proc.kill()


@pytest.mark.parametrize(
    ("settings", "desktop_asks", "shown"),
    [
        ("", True, "on (the desktop asks for it)"),
        ('high_contrast = "off"\nreduced_motion = "off"\n', True, "off"),  # not even read
        ('high_contrast = "on"\nreduced_motion = "on"\n', False, "on (the kiosk's settings)"),
    ],
    ids=["as-the-desktop-asks", "not-allowed", "always"],
)  # fmt: skip
def test_high_contrast_and_reduced_motion_reach_the_page_where_the_settings_allow(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path,
    settings: str, desktop_asks: bool, shown: str,
) -> None:  # fmt: skip
    desktop = {**os.environ, "GSETTINGS_BACKEND": "keyfile",
               "XDG_CONFIG_HOME": str(tmp_path / "desktop")}  # fmt: skip
    if desktop_asks:  # the student's own desktop settings, written by the desktop's tool
        for schema, key, value in [
            ("org.gnome.desktop.a11y.interface", "high-contrast", "true"),
            ("org.gnome.desktop.interface", "enable-animations", "false"),
        ]:
            subprocess.run(["gsettings", "set", schema, key, value], env=desktop, check=True)
    config = tmp_path / "kiosk.toml"
    config.write_text("[accessibility]\n" + settings)
    proc = kiosk(answer_page(server, run_id), "--config", str(config), env=desktop)
    page = reported(server, run_id, "appearance")
    on = shown.startswith("on")
    assert (page["contrast"], page["motion"]) == (on, on), page
    reported(server, run_id, "result")
    _, meta = proc.record()
    assert meta["appearance"] == {"highContrast": shown, "reducedMotion": shown}
    proc.kill()
