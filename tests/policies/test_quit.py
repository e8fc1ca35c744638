"""The quit policy and quit-password hashes (SEB's SHA-256 form and salted scrypt)."""

from __future__ import annotations

import hashlib

import pytest

from kiosk.config.settings import KioskConfig
from policies.quit import check_password, decide_quit, hash_password, valid_hash


@pytest.mark.parametrize(
    ("source", "monitoring", "password", "allowed", "ask"),
    [
        ("window", True, False, False, False),
        ("window", True, True, False, True),
        ("page", True, True, False, True),
        ("window", False, False, True, False),
        ("page", False, True, True, False),
        ("signal", True, False, True, False),
        ("quit_url", True, True, True, False),
        ("reconfigure", True, True, True, False),
        ("handover", True, True, False, False),  # never by a password: the exam goes on
        ("handover", False, False, True, False),
    ],
)
def test_decide_quit(
    source: str, monitoring: bool, password: bool, allowed: bool, ask: bool
) -> None:
    decision = decide_quit(source, monitoring, password)  # type: ignore[arg-type]
    assert (decision.allowed, decision.ask_password) == (allowed, ask)


def test_seb_sha256_hashes() -> None:
    stored = hashlib.sha256(b"let me out").hexdigest()
    assert check_password("let me out", stored)
    assert check_password("let me out", stored.upper())
    assert not check_password("let me in", stored)
    assert not check_password("", stored)


def test_salted_scrypt_hashes() -> None:
    stored = hash_password("let me out", salt=b"0123456789abcdef", n=2**10)
    assert stored.startswith("scrypt$1024$8$1$")
    assert check_password("let me out", stored)
    assert not check_password("let me ouT", stored)
    assert not check_password("let me out", stored[:-2] + "00")
    assert not check_password("x", "scrypt$nonsense")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (hashlib.sha256(b"x").hexdigest(), True),
        ("scrypt$1024$8$1$00ff$aa", True),
        ("let me out", False),
        ("ab" * 31, False),
        ("scrypt$x$8$1$00$aa", False),
    ],
)
def test_configuration_rejects_a_password_that_is_not_a_hash(value: str, ok: bool) -> None:
    assert valid_hash(value) is ok
    if ok:
        KioskConfig.model_validate({"policy": {"quit_password_hash": value}})
    else:
        with pytest.raises(ValueError, match="quit_password_hash"):
            KioskConfig.model_validate({"policy": {"quit_password_hash": value}})
