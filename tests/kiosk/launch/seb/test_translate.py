"""What kiosk makes of SEB's keys: applied, met by construction, or listed as unsupported."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.config.settings import KioskConfig
from kiosk.launch.seb.containers import settings
from kiosk.launch.seb.translate import translate
from kiosk.platform.errors import UsageError
from tests.support.paths import SEB_FILES

QUIT = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # sha256("test")


def test_every_key_of_a_real_file_is_accounted_for() -> None:
    real = settings((SEB_FILES / "unencrypted_win_223.seb").read_bytes())
    found = translate(real)
    assert set(found.applied) | set(found.unsupported) == set(real)
    assert not set(found.applied) & set(found.unsupported)
    assert found.starts_exam and found.send_keys and len(found.exam_key_salt) == 32
    assert "browserWindowWebView" not in real or "browserWindowWebView" in found.unsupported
    KioskConfig.model_validate({"policy": found.policy, "computer": found.computer})


def test_the_computer_keys_of_real_files_are_kiosks_computer_settings() -> None:
    windows = translate(settings((SEB_FILES / "unencrypted_win_223.seb").read_bytes()))
    computer = KioskConfig.model_validate({"computer": windows.computer}).computer
    assert computer.virtual_machine == "off"  # allowVirtualMachine = true
    assert computer.end_prohibited_processes  # monitorProcesses = true
    assert len(computer.prohibited) == 16 and {"TeamViewer", "g2mcomm.exe", "Skype"} <= set(
        computer.prohibited
    )
    assert computer.permitted == ["firefox.exe"]
    mac = translate(settings((SEB_FILES / "unencrypted_mac_001.seb").read_bytes()))
    assert mac.computer["virtual_machine"] == "block"  # allowVirtualMachine = false
    assert "4101" in mac.applied["allowVirtualMachine"]


def test_inactive_process_entries_are_left_out() -> None:
    found = translate({"prohibitedProcesses": [
        {"active": False, "executable": "zoom.exe"},
        {"active": True, "executable": "obs64.exe", "originalName": "obs64.exe"},
    ]})  # fmt: skip
    assert found.computer["prohibited"] == ["obs64.exe"]


def test_the_settings_kiosk_applies() -> None:
    found = translate(
        {
            "startURL": "https://moodle.example.org/mod/quiz/view.php?id=7",
            "quitURL": "https://moodle.example.org/done",
            "hashedQuitPassword": QUIT.upper(),
            "allowQuit": True,
            "URLFilterEnable": True,
            "URLFilterRules": [
                {"action": 1, "active": True, "expression": "cdn.example.org", "regex": False},
                {"action": 0, "active": False, "expression": "^https://x", "regex": True},
            ],
            "clipboardPolicy": 2,
            "allowedDisplaysMaxNumber": 1,
            "allowDownUploads": False,
            "browserWindowAllowReload": True,
            "enableZoomPage": False,
            "sendBrowserExamKey": True,
            "examSessionClearCookiesOnStart": True,
            "enablePrintScreen": True,
            "aSettingKioskHasNot": 42,
        }
    )
    assert found.url == "https://moodle.example.org/mod/quiz/view.php?id=7"
    assert found.policy == {
        "quit_url": "https://moodle.example.org/done",
        "quit_password_hash": QUIT,
        "url_filter": [
            {"expression": "cdn.example.org", "action": "allow", "regex": False, "active": True},
            {"expression": "^https://x", "action": "block", "regex": True, "active": False},
        ],
        "clipboard": "isolated",
        "multiple_monitors": "block",
        "downloads": False,
        "uploads": False,
        "allow_reload": True,
        "allow_zoom": False,
    }
    assert found.unsupported == {"aSettingKioskHasNot": 42}
    assert "stricter" in found.applied["enablePrintScreen"]
    assert "off-the-record" in found.applied["examSessionClearCookiesOnStart"]
    config = KioskConfig.model_validate({"policy": found.policy})
    assert config.policy.url_filter[0].expression == "cdn.example.org"


def test_without_seb_s_filter_any_page_may_load_as_in_seb() -> None:
    found = translate({"URLFilterEnable": False, "URLFilterRules": [{"expression": "x"}]})
    assert found.policy["url_filter"] == [{"expression": "*", "action": "allow"}]
    assert "ignored" in found.applied["URLFilterRules"]


def test_allow_quit_false_takes_the_quit_password_back() -> None:
    found = translate({"hashedQuitPassword": QUIT, "allowQuit": False})
    assert found.policy["quit_password_hash"] is None
    assert "except through the quit URL" in found.applied["allowQuit"]


def test_a_configuration_for_the_client_starts_no_exam() -> None:
    assert not translate({"sebConfigPurpose": 1}).starts_exam
    assert translate({}).starts_exam  # SEB's default purpose


@pytest.mark.parametrize(
    ("settings_", "words"),
    [
        ({"allowQuit": "yes"}, "allowQuit: 'yes' is not a boolean"),
        ({"clipboardPolicy": 7}, "not 0, 1 or 2"),
        ({"allowedDisplaysMaxNumber": True}, "not a whole number"),
        ({"URLFilterEnable": True, "URLFilterRules": [{"action": 1}]}, "not a rule"),
        ({"URLFilterRules": "everything"}, "not a list"),
        ({"startURL": 5}, "not text"),
        ({"prohibitedProcesses": "obs"}, "prohibitedProcesses: not a list of processes"),
        ({"permittedProcesses": [{"executable": 5}]}, r"permittedProcesses\[0\].executable"),
        ({"allowVirtualMachine": 0}, "allowVirtualMachine: 0 is not a boolean"),
    ],
)
def test_a_wrong_value_is_one_clear_line(settings_: dict[str, Any], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        translate(settings_)
