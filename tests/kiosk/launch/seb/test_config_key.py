"""The Config Key against SEB's and Moodle's own vectors (tests/data/seb/README.md)."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from kiosk.launch.seb.config_key import config_key, request_hash, seb_json
from kiosk.launch.seb.containers import settings
from tests.support.paths import SEB_FILES

SIMPLE = "9e5b8d83ef8be09976c5826625e59334c47f7c70b063a675c0f143474dcf435a"
MAC = "4fa9af8ec8759eb7c680752ef4ee5eaf1a860628608fccae2715d519849f9292"
WIN = "fc6f4ea5922717760f4d6d536c23b8d19bf20b52aa97940f5427a76e20f49026"


@pytest.mark.parametrize(
    ("name", "key"),
    [("unencrypted_mac_001.seb", MAC), ("unencrypted_win_223.seb", WIN)],
)
def test_the_config_keys_of_seb_and_moodle(name: str, key: str) -> None:
    assert config_key(settings((SEB_FILES / name).read_bytes())) == key


def test_the_seb_json_is_exactly_what_seb_for_macos_logged() -> None:
    logged = (SEB_FILES / "JSON_unencrypted_mac_001.txt").read_text(encoding="utf-8").strip()
    assert seb_json(settings((SEB_FILES / "unencrypted_mac_001.seb").read_bytes())) == logged
    assert hashlib.sha256(logged.encode()).hexdigest() == config_key(
        settings((SEB_FILES / "unencrypted_mac_001.seb").read_bytes())
    )


@pytest.mark.parametrize(
    "name",
    [
        "simpleunencrypted.seb",
        "simpleunencryptedwithoutoriginator.seb",  # originatorVersion does not count
        "plnd-simple.seb",  # the container does not count
        "password-kiosk-fixture.seb",
    ],
)
def test_one_configuration_one_key_whatever_its_container(name: str) -> None:
    assert config_key(settings((SEB_FILES / name).read_bytes(), "kiosk-fixture")) == SIMPLE


def test_keys_sort_as_icu_root_does() -> None:
    text = seb_json({"allowWLAN": 1, "allowWlan": 2, "a_b": 3, "a1": 4, "ab": 5, "Ab": 6})
    assert text == '{"a_b":3,"a1":4,"ab":5,"Ab":6,"allowWlan":2,"allowWLAN":1}'


def test_empty_dictionaries_go_empty_arrays_stay_and_values_are_seb_json() -> None:
    when = datetime.datetime(1940, 10, 9, 22, 13, 56)
    text = seb_json(
        {
            "nothing": {},
            "nested": {"originatorVersion": "SEB_Win_3"},  # empty once it is gone
            "list": [],
            "data": b"\x00\x01",
            "when": when,
            "path": "C:\\SEB",
            "url": "https://exam.example.org/é",
            "real": 0.1,
        }
    )
    assert text == (
        '{"data":"AAE=","list":[],"path":"C:\\SEB","real":0.1,'
        '"url":"https://exam.example.org/é","when":"1940-10-09T22:13:56Z"}'
    )
    assert config_key({}) == hashlib.sha256(b"[]").hexdigest()


def test_the_request_hash_is_of_the_url_without_its_fragment() -> None:
    url = "https://moodle.example.org/mod/quiz/view.php?id=7"
    expected = hashlib.sha256((url + SIMPLE).encode()).hexdigest()
    assert request_hash(url + "#top", SIMPLE) == expected


def test_the_browser_exam_key_is_seb_s_hmac_of_the_build_and_the_config_key() -> None:
    import hmac

    from kiosk.launch.seb.config_key import browser_exam_key, build_identity

    salt = b"\x01" * 32
    identity = build_identity()
    assert len(identity) == 64 and identity == build_identity()
    expected = hmac.new(salt, (identity + SIMPLE).encode(), hashlib.sha256).hexdigest()
    assert browser_exam_key(SIMPLE, salt) == expected
    assert browser_exam_key(SIMPLE, salt, identity="another build") != expected
    assert browser_exam_key(SIMPLE, b"\x02" * 32) != expected
