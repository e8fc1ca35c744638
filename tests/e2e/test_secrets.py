"""``kiosk secret``: credentials in the OS keyring, tested against a real Secret Service
(gnome-keyring in a private D-Bus session, tests/support/keyring_session.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.support.keyring_session import in_secret_service
from tests.support.paths import REPO
from tests.support.process import run_cli


def test_a_secret_is_stored_in_the_keyring_listed_and_deleted(tmp_path: Path) -> None:
    got = in_secret_service(tmp_path, [
        {"argv": ["secret", "list"]},
        {"argv": ["secret", "set", "lrs"], "stdin": "s3cret-value\n"},
        {"argv": ["secret", "set", "seb-client.cert"], "stdin": "second\n"},
        {"lookup": "lrs"},
        {"argv": ["secret", "list"]},
        {"argv": ["secret", "set", "lrs"], "stdin": "replaced\n"},
        {"lookup": "lrs"},
        {"argv": ["secret", "delete", "lrs"]},
        {"lookup": "lrs"},
        {"argv": ["secret", "list"]},
        {"argv": ["secret", "delete", "lrs"]},
    ])  # fmt: skip
    assert got[0] == {"rc": 0, "out": "(no secrets)", "err": ""}
    assert got[1] == {"rc": 0, "out": "stored lrs in the keyring", "err": ""}
    assert got[3] == {"held": ["s3cret-value"]}  # in the Secret Service itself
    assert got[4]["out"].splitlines() == ["lrs", "seb-client.cert"]
    assert got[6] == {"held": ["replaced"]}
    assert got[7]["out"] == "deleted lrs" and got[8] == {"held": []}
    assert got[9]["out"] == "seb-client.cert"
    assert (got[10]["rc"], got[10]["err"]) == (2, "kiosk: error: no secret named lrs")
    # The keyring's own file holds it encrypted: nowhere is the value written in the open.
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert b"s3cret-value" not in path.read_bytes() and b"replaced" not in path.read_bytes()


def test_a_secret_outlives_the_session_that_stored_it(tmp_path: Path) -> None:
    stored = in_secret_service(tmp_path, [{"argv": ["secret", "set", "lrs"], "stdin": "kept\n"}])
    assert stored[0]["rc"] == 0, stored
    again = in_secret_service(tmp_path, [{"lookup": "lrs"}, {"argv": ["secret", "list"]}])
    assert again == [{"held": ["kept"]}, {"rc": 0, "out": "lrs", "err": ""}]


def test_bad_names_and_empty_values_are_refused(tmp_path: Path) -> None:
    got = in_secret_service(tmp_path, [
        {"argv": ["secret", "set", "../etc"], "stdin": "x\n"},
        {"argv": ["secret", "set", "lrs"], "stdin": "\n"},
        {"argv": ["secret", "list"]},
    ])  # fmt: skip
    assert got[0]["rc"] == 2 and "is not a secret's name" in got[0]["err"]
    assert (got[1]["rc"], got[1]["err"]) == (2, "kiosk: error: an empty value: nothing was stored")
    assert got[2]["out"] == "(no secrets)"


def test_without_a_keyring_it_says_what_to_install_and_keeps_nothing_in_a_file(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["HOME"] = str(tmp_path)
    done = run_cli("secret", "set", "lrs", env=env, stdin="s3cret-value\n")
    assert done.returncode == 6
    assert done.stderr.startswith("kiosk: error: no keyring to keep secrets in: on Linux "
                                  "install gnome-keyring")  # fmt: skip
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no plaintext fallback


def test_a_configuration_names_the_keyrings_secret_that_opens_a_password_protected_seb(
    tmp_path: Path,
) -> None:
    config = tmp_path / "school.toml"
    config.write_text('[session]\nseb_password_keyring = "seb-password"\n')
    seb = str(REPO / "tests" / "data" / "seb" / "password-kiosk-fixture.seb")
    show = {"argv": ["config", "show", seb, "--config", str(config), "--json"]}  # stdin: none
    got = in_secret_service(tmp_path, [
        show,
        {"argv": ["secret", "set", "seb-password"], "stdin": "kiosk-fixture\n"},
        show,
        {"argv": ["secret", "set", "seb-password"], "stdin": "not-the-password\n"},
        show,
    ])  # fmt: skip
    assert (got[0]["rc"], got[0]["err"]) == (2, (
        "kiosk: error: session.seb_password_keyring names seb-password, which the keyring does "
        "not hold (store it with: kiosk secret set seb-password)"))  # fmt: skip
    assert got[2]["rc"] == 0, got[2]
    shown = {row["key"]: row for row in json.loads(got[2]["out"])}
    assert shown["session.seb_password_keyring"]["value"] == "seb-password"
    assert shown["session.autostart"]["source"] == "seb"  # the file was opened and read
    wrong = (
        "kiosk: error: the password the keyring holds as seb-password "
        "(session.seb_password_keyring) does not open this .seb file, and no other was given"
    )
    assert (got[4]["rc"], got[4]["err"]) == (2, wrong)


def test_the_signing_key_is_made_once_and_kept_in_the_keyring(tmp_path: Path) -> None:
    got = in_secret_service(tmp_path, [
        {"argv": ["report", "key"]},
        {"argv": ["report", "key"]},
        {"argv": ["secret", "list"]},
    ])  # fmt: skip
    first, second = got[0], got[1]
    assert first["rc"] == 0 and first["out"].startswith("-----BEGIN PUBLIC KEY-----"), first
    assert second["out"] == first["out"]  # kept, not made again
    assert "report-signing-key" in got[2]["out"].splitlines()
    for path in (tmp_path / "data").rglob("*"):  # the private key is nowhere in the open
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes()
