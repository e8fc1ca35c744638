"""Every container SEB writes, read down to its settings; every bad file a clear error."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from kiosk.launch.seb import rncryptor
from kiosk.launch.seb.containers import (
    MAX_BYTES,
    PasswordRequired,
    SebFileError,
    WrongPassword,
    settings,
)
from kiosk.platform.errors import UsageError
from tests.support.paths import SEB_FILES
from tests.support.seb import container, encrypted, rncryptor_v2, rncryptor_v3
from tests.support.seb import rncryptor as write_rncryptor

XML = (SEB_FILES / "simpleunencrypted.seb").read_bytes()
START = "https://safeexambrowser.org/start"


def test_a_bare_plist_is_read() -> None:
    assert settings(XML)["startURL"] == START


def test_a_gzipped_plist_and_the_plain_container_are_read() -> None:
    assert settings(gzip.compress(XML))["startURL"] == START
    assert settings((SEB_FILES / "plnd-simple.seb").read_bytes())["startURL"] == START


def test_a_password_file_written_by_rncryptor_is_read_with_its_password() -> None:
    data = (SEB_FILES / "password-kiosk-fixture.seb").read_bytes()
    assert settings(data, "kiosk-fixture")["startURL"] == START


@pytest.mark.parametrize("upper", [False, True])
def test_the_admin_password_container_takes_the_admin_password(upper: bool) -> None:
    digest = hashlib.sha256(b"teacher").hexdigest()
    data = encrypted(XML, digest.upper() if upper else digest, prefix=b"pwcc")
    assert settings(data, "teacher")["startURL"] == START


def test_a_password_is_asked_for_with_the_tries_left_and_a_cancel_ends_it() -> None:
    data = (SEB_FILES / "password-kiosk-fixture.seb").read_bytes()
    asked: list[int] = []

    def ask(left: int) -> str | None:
        asked.append(left)
        return "guess" if len(asked) < 2 else "kiosk-fixture"

    assert settings(data, ask)["startURL"] == START and asked == [3, 2]
    with pytest.raises(PasswordRequired, match="not given: nothing started"):
        settings(data, lambda left: None)
    with pytest.raises(WrongPassword, match="wrong"):
        settings(data, lambda left: "guess")


def test_seb_s_own_encrypted_file_is_known_to_need_a_password() -> None:
    data = (SEB_FILES / "encrypted.seb").read_bytes()  # RNCryptor v2, password unknown
    with pytest.raises(PasswordRequired, match="settings password"):
        settings(data)
    with pytest.raises(WrongPassword):
        settings(data, "not it")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "neither XML nor gzip"),
        (b"<html><body>login</body></html>", "neither XML nor gzip"),
        (gzip.compress(b"pkhs" + b"\xab" * 20 + b"\0" * 44), "public key hash is " + "ab" * 20),
        (gzip.compress(b"zzzz" + b"\0" * 64), "unknown configuration container"),
        (gzip.compress(XML)[:-8], "cut short"),
        (b"\x1f\x8b" + b"\0" * 40, "damaged"),
        (container(b"pswd", b"\x04\x01" + b"\0" * 80), "version 4 is not supported"),
        (XML.replace(b"</plist>", b""), "not a valid property list"),
        (b'<?xml version="1.0"?><plist version="1.0"><array/></plist>', "not a dictionary"),
    ],
)
def test_a_file_that_is_no_configuration_is_one_clear_line(data: bytes, words: str) -> None:
    with pytest.raises(SebFileError, match=words) as caught:
        settings(data, "kiosk-fixture")
    assert isinstance(caught.value, UsageError) and "\n" not in str(caught.value)


def test_a_compression_bomb_is_refused_before_it_fills_memory() -> None:
    bomb = gzip.compress(b"plnd" + gzip.compress(b"\0" * (MAX_BYTES + 1)))
    with pytest.raises(SebFileError, match="inflates to more than"):
        settings(bomb)


def test_rncryptor_refuses_what_is_no_password_data() -> None:
    with pytest.raises(rncryptor.DecryptionError, match="too short"):
        rncryptor.decrypt(b"\x03\x01", "x")
    with pytest.raises(rncryptor.DecryptionError, match="with a key, not a password"):
        rncryptor.decrypt(b"\x03\x00" + b"\0" * 80, "x")


@pytest.mark.parametrize("password", ["kiosk-fixture", "prüfung-ñ", "試験🔒"])
def test_rncryptor_v2_is_read_like_v3_and_its_cut_multibyte_password_too(password: str) -> None:
    """v2's reference implementation cut a multi-byte password to its length in characters;
    the reader tries that only for v2, after the whole password."""
    secret = b"<plist>settings</plist>"
    assert rncryptor.decrypt(rncryptor_v2(secret, password), password) == secret
    assert rncryptor.decrypt(rncryptor_v3(secret, password), password) == secret
    cut = password.encode()[: len(password.encode("utf-16-le")) // 2]
    if cut != password.encode():  # a v3 file written with the cut password is not accepted
        with pytest.raises(rncryptor.WrongPassword):
            rncryptor.decrypt(write_rncryptor(secret, cut, version=3), password)
    with pytest.raises(rncryptor.WrongPassword):
        rncryptor.decrypt(rncryptor_v2(secret, password), password + "x")
