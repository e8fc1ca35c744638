r"""The Windows managed policy (HKLM\SOFTWARE\Policies\kiosk): the walk from registry keys to the
configuration's settings, fed from ``.reg`` files in regedit's own format. The walk of the real
registry (winreg) only runs on Windows, which this machine is not."""

from __future__ import annotations

import sys

import pytest

from kiosk.config.managed import load_managed
from kiosk.config.settings import KioskConfig
from kiosk.config.windows_policy import settings_of
from kiosk.platform.errors import UsageError
from tests.support.paths import REPO
from tests.support.reg_file import as_winreg, read_reg

ROOT = r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\kiosk"


def reg(body: str) -> bytes:
    """A .reg file as regedit exports it: UTF-16 with a byte-order mark, CRLF lines."""
    text = "Windows Registry Editor Version 5.00\r\n\r\n" + body.replace("\n", "\r\n")
    return b"\xff\xfe" + text.encode("utf-16-le")


def test_the_shipped_example_policy_reads_as_the_settings_it_shows() -> None:
    raw = (REPO / "packaging" / "windows" / "kiosk-policy.reg").read_bytes()
    settings = settings_of(read_reg(raw, ROOT))
    assert settings == {
        "policy": {
            "require_lockdown": True,
            "allow_zoom": False,
            "clipboard": "isolated",
            "url_filter": [{"expression": "exam.school.example", "action": "allow"}],
        },
        "session": {"start_url": "https://exam.school.example/"},
    }
    config = KioskConfig.model_validate(settings)
    assert config.policy.allow_zoom is False and config.policy.url_filter[0].action == "allow"


def test_numbers_and_texts_come_by_their_registry_type_and_the_settings_kind() -> None:
    body = (
        f"[{ROOT}\\policy]\n"
        '@="the key\'s default value is no setting"\n'
        '"allow_zoom"=dword:00000001\n'
        f"[{ROOT}\\proctoring]\n"
        '"analyse_fps"="2.5"\n'
        '"photo_capacity"=hex(b):2c,01,00,00,00,00,00,00\n'
    )
    found = settings_of(read_reg(reg(body), ROOT))
    assert found == {
        "policy": {"allow_zoom": True},
        "proctoring": {"analyse_fps": 2.5, "photo_capacity": 300},
    }


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ('[{r}\\policy]\n"allow_zoom"=dword:00000002\n',
         r"HKLM\SOFTWARE\Policies\kiosk\policy\allow_zoom: 0 (off) or 1 (on), not 2"),
        ('[{r}\\policy]\n"url_filter"="json:[{{"\n',
         r"HKLM\SOFTWARE\Policies\kiosk\policy\url_filter: not valid JSON after json:"),
        ('[{r}\\policy]\n"allow_zoom"=hex:01\n',
         r"HKLM\SOFTWARE\Policies\kiosk\policy\allow_zoom: a registry value of type 3"),
        ('[{r}\\proctoring]\n"analyse_fps"="fast"\n',
         r"HKLM\SOFTWARE\Policies\kiosk\proctoring\analyse_fps: a number, not 'fast'"),
        ('[{r}\\policy]\n"no_such_setting"=dword:00000001\n', r"HKLM\SOFTWARE\Policies\kiosk: "),
    ],
)  # fmt: skip
def test_a_bad_value_names_its_place_in_the_registry(body: str, said: str) -> None:
    with pytest.raises(UsageError) as caught:
        settings_of(read_reg(reg(body.format(r=ROOT)), ROOT))
    assert f"managed policy {said}" in str(caught.value)


def test_on_windows_the_registry_is_the_policy_and_locks_what_it_sets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = (REPO / "packaging" / "windows" / "kiosk-policy.reg").read_bytes()
    monkeypatch.setitem(sys.modules, "winreg", as_winreg(read_reg(raw, ROOT)))
    monkeypatch.setattr(sys, "platform", "win32")
    managed = load_managed()
    assert managed.values["policy"]["clipboard"] == "isolated"
    assert managed.locked(("policy", "allow_zoom"))
    assert not managed.locked(("policy", "downloads"))
    assert str(managed.file_of(("session", "start_url"))) == r"HKLM\SOFTWARE\Policies\kiosk"


def test_on_windows_no_policy_key_is_nothing_managed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "winreg", as_winreg(None))
    monkeypatch.setattr(sys, "platform", "win32")
    managed = load_managed()
    assert managed.values == {} and not managed.locked(("policy", "allow_zoom"))
