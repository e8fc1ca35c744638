"""An exam launched from a SEB configuration: what the run takes from it, and every refusal."""

from __future__ import annotations

import hashlib
import os
import plistlib
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.config.layers import Layers
from kiosk.config.settings import KioskConfig
from kiosk.launch.seb_launch import LmsPage, SebLaunch, from_data, from_target, seb_layer
from kiosk.launch.target import parse_target
from kiosk.platform.errors import UsageError
from tests.support.blocking import refusal_within
from tests.support.paths import SEB_FILES
from tests.support.web import Answer, serving

QUIZ = "https://moodle.example.org/mod/quiz/view.php?id=7"


def seb(**settings: Any) -> bytes:
    return plistlib.dumps({"startURL": QUIZ, "sendBrowserExamKey": True, **settings})


def applied(file: dict[str, Any], launched: SebLaunch) -> KioskConfig:
    """The run's configuration: the kiosk's own file, the exam's settings over it."""
    autostart_set = "autostart" in file.get("session", {})
    return Layers(file=file, seb=seb_layer(launched, autostart_set)).config()


def test_a_file_gives_the_exam_url_its_keys_and_its_settings() -> None:
    launched = from_data("exam.seb", seb(allowDownUploads=True, examKeySalt=b"\1" * 32), None)
    assert launched.url == QUIZ and launched.send_keys
    assert launched.policy == {"downloads": True, "uploads": True, "url_filter": [
        {"expression": "*", "action": "allow"}]}  # fmt: skip
    config = applied({}, launched)
    assert config.policy.downloads and config.policy.uploads
    assert config.policy.url_filter[0].expression == "*"
    assert launched.as_meta()["config_key"] == launched.config_key


def test_the_exam_s_settings_win_over_the_local_ones() -> None:
    local = {"policy": {"allow_reload": False, "allow_zoom": True}}
    config = applied(local, from_data("x", seb(browserWindowAllowReload=True), None))
    assert config.policy.allow_reload and config.policy.allow_zoom  # one from each


def test_the_headers_go_to_the_exam_s_origin_only() -> None:
    launched = SebLaunch("x", QUIZ, "ck", "bek", send_keys=True)
    url = "https://moodle.example.org/theme/styles.css"
    assert launched.headers(url) == {
        "X-SafeExamBrowser-ConfigKeyHash": hashlib.sha256((url + "ck").encode()).hexdigest(),
        "X-SafeExamBrowser-RequestHash": hashlib.sha256((url + "bek").encode()).hexdigest(),
    }
    assert launched.headers("https://cdn.example.org/x.js") == {}
    assert launched.headers("http://moodle.example.org/x") == {}  # another origin
    assert SebLaunch("x", QUIZ, "ck", "bek", send_keys=False).headers(url) == {}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (seb(sebConfigPurpose=1), "configures a client; it starts no exam"),
        (plistlib.dumps({"allowQuit": True}), "has no start URL"),
        (seb(startURL="file:///etc/passwd"), "its startURL .*file is not supported"),
        (seb(startURL="javascript:alert(1)"), "its startURL"),
        (
            seb(startURL="https://student:pw@exam.example.org/"),
            "its startURL .*carries credentials",
        ),
        (seb(startURL="https://[::1/quiz"), "its startURL .*not a valid name or address"),
        (seb(startURL="https://exam.example.org/" + "a" * 5000), "its startURL: .*characters long"),
    ],
)
def test_what_starts_no_exam_is_one_clear_line(data: bytes, words: str) -> None:
    with pytest.raises(UsageError, match=words) as caught:
        from_data("exam.seb", data, None)
    assert "pw@" not in str(caught.value) and len(str(caught.value)) < 300


def test_a_link_serving_a_configuration_launches_it_and_a_login_page_is_opened() -> None:
    """A link that sends the kiosk to a login page is opened as the link's own http(s) URL, so
    that the LMS's redirect back after the login reaches the kiosk's browser; an answer that
    is neither a configuration nor a page is one clear line."""
    routes = {
        "/config.seb": Answer((SEB_FILES / "plnd-simple.seb").read_bytes()),
        "/config.php": Answer(b"", 303, {"Location": "/login"}),
        "/login": Answer(b"<html>login</html>", 200, {"Content-Type": "text/html"}),
        "/image": Answer(b"GIF89a", 200, {"Content-Type": "image/gif"}),
        "/basic": Answer(b"", 401, {"WWW-Authenticate": 'Basic realm="LMS"'}),
    }
    with serving(routes) as host:
        launched = from_target(parse_target(f"seb://{host}/config.seb"), None)
        assert isinstance(launched, SebLaunch)
        assert launched.url == "https://safeexambrowser.org/start"
        assert launched.source == f"http://{host}/config.seb"
        page = from_target(parse_target(f"seb://{host}/config.php"), None)
        assert page == LmsPage(f"http://{host}/config.php")  # the link's own, not /login
        assert from_target(parse_target(f"seb://{host}/login"), None) == LmsPage(
            f"http://{host}/login"
        )
        basic = from_target(parse_target(f"seb://{host}/basic"), None)
        assert basic == LmsPage(f"http://{host}/basic")  # its login asked in the kiosk
        with pytest.raises(UsageError, match="answers with 200 image/gif: neither"):
            from_target(parse_target(f"seb://{host}/image"), None)
        with pytest.raises(UsageError, match="answers with 404"):
            from_target(parse_target(f"seb://{host}/missing"), None)


def test_a_password_file_without_a_way_to_ask_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="protected by a settings password"):
        from_target(parse_target(str(SEB_FILES / "password-kiosk-fixture.seb")), None)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--untrusted-args", "kiosk://x/", "--windowed"],  # more after the link
        ["run", "--untrusted-args"],
        ["run", "--untrusted-args", "--config=/etc/evil.toml"],
        ["run", "--untrusted-args", "-x"],
        ["run", "--windowed", "--untrusted-args", "kiosk://x/"],  # options before it too
    ],
)
def test_untrusted_args_take_exactly_one_target_and_no_option(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert "--untrusted-args takes exactly one link" in capsys.readouterr().err


def test_an_untrusted_link_that_is_hostile_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--untrusted-args", "kiosk://teacher:pw@exam.example.org/"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "carries credentials" in err


def test_a_configuration_for_a_client_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "client.seb"
    path.write_bytes(seb(sebConfigPurpose=1))
    assert main(["run", str(path)]) == 2
    assert "starts no exam" in capsys.readouterr().err


def test_a_login_page_run_waits_for_the_configuration_and_starts_no_exam(tmp_path: Path) -> None:
    """No exam is monitored on the LMS's login page, even with --autostart: the run that opens
    the configuration the LMS serves next starts it."""
    import os

    from kiosk.cli import build_parser
    from kiosk.launch.resolve import resolve

    login = Answer(b"<html>login</html>", 200, {"Content-Type": "text/html"})
    with serving(
        {"/config.php": Answer(b"", 303, {"Location": "/login"}), "/login": login}
    ) as host:
        argv = ["run", "--autostart", "--data-dir", str(tmp_path), f"seb://{host}/config.php"]
        opts = resolve(build_parser().parse_args(argv), os.environ)
    assert opts.awaiting_configuration and opts.seb is None
    assert opts.url == f"http://{host}/config.php"
    assert opts.autostart is False


def test_the_exam_session_starts_with_the_first_page() -> None:
    """An LMS's quiz page does not call the AutoProctor API: without autostart no session would
    run, and the window could be closed in the middle of the exam."""
    assert KioskConfig().session.autostart is False
    assert applied({}, from_data("x", seb(), None)).session.autostart is True
    # a school whose exam page calls the AutoProctor API itself says so
    own = {"session": {"autostart": False}}
    assert applied(own, from_data("x", seb(), None)).session.autostart is False


def test_a_seb_file_that_became_a_fifo_or_a_device_is_refused_without_blocking(
    tmp_path: Path,
) -> None:
    """A .seb that was a file when the TARGET was parsed and is swapped for a FIFO (or a link
    to a device) before it is read: the read itself refuses it."""
    path = tmp_path / "exam.seb"
    path.write_bytes(seb())
    target = parse_target(str(path))
    path.unlink()
    os.mkfifo(path)
    assert "it is a FIFO" in refusal_within(2, lambda: from_target(target, None), path)
    path.unlink()
    path.symlink_to("/dev/zero")
    assert "it is a device" in refusal_within(2, lambda: from_target(target, None))


def test_a_seb_may_name_the_lrs_and_where_its_password_is_never_the_password() -> None:
    report = {"lrs": "https://lrs.example.org/xAPI", "username": "kiosk",
              "password_keyring": "lrs"}  # fmt: skip
    launched = from_data("x", seb(kioskReport=report), None)
    config = applied({"report": {"lrs": "https://other.example.org/"}}, launched)
    assert (config.report.lrs, config.report.username) == ("https://lrs.example.org/xAPI/", "kiosk")
    assert launched.applied["kioskReport"] == "events are reported to https://lrs.example.org/xAPI"
    with pytest.raises(UsageError, match=r"a password does not belong in a \.seb"):
        from_data("x", seb(kioskReport={**report, "password": "s3cret"}), None)
    with pytest.raises(UsageError, match="unknown key 'url'"):
        from_data("x", seb(kioskReport={"url": "https://lrs.example.org/"}), None)


def test_the_managed_policy_s_lrs_wins_over_the_seb_s(tmp_path: Path) -> None:
    from kiosk.config.managed import load_managed

    (tmp_path / "policy.toml").write_text("[report]\nlrs = 'https://district.example.org/'\n")
    launched = from_data("x", seb(kioskReport={"lrs": "https://lrs.example.org/"}), None)
    layers = Layers(seb=seb_layer(launched, False), managed=load_managed(tmp_path))
    assert layers.config().report.lrs == "https://district.example.org/"
