"""Generated bad input: the URL, the options and the configuration file, hundreds of each.

Whatever a launcher, a web page or a student puts on the command line, ``kiosk run`` answers
with exit 2 and one line, never a traceback or a hang. In-process, so that hundreds of
examples take seconds: ``main()`` is called with an unsafe engine setting in the environment,
which resolve refuses last of all, so an input it accepts also ends in exit 2, with that line
(and nothing ever starts Qt). The real-subprocess cases (a FIFO, a device) are in
tests/e2e/test_cli.py and tests/e2e/test_event_log.py.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from kiosk.cli import main
from kiosk.config.settings import KioskConfig, load
from kiosk.launch.target import MAX_URL, parse_target
from kiosk.platform.errors import UsageError
from policies import engine

# Nothing left in the checkout: Hypothesis caches the constants it finds in the code it tests.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "kiosk-hypothesis")
FUZZ = settings(
    max_examples=300,
    deadline=None,  # a loaded machine must not turn a slow example into a failure
    database=None,  # no .hypothesis folder left behind
    suppress_health_check=[HealthCheck.too_slow],
)
SECRET = "s3cr3tPW"
REFUSED_LAST = "refusing unsafe web-engine settings"

# -- URLs and links -------------------------------------------------------------------------------

SCHEMES = ["http", "https", "HTTPS", "kiosk", "kiosks", "seb", "sebs", "file", "ftp", "javascript"]
ODD_HOSTS = ["127.0.0.1", "exam.example.org", "[::1]", "[::1", "::1]", "[zz]", "[::1]x", "[v1.a]",
             "", "%65xam.org", "exam\\evil.org", "a..b", "xn--", "exam.example.org.",
             "[::ffff:1.2.3.4]"]  # fmt: skip
HOSTS = st.one_of(st.sampled_from(ODD_HOSTS), st.text(min_size=1, max_size=20))
PORTS = st.sampled_from(["", ":", ":0", ":80", ":65535", ":65536", ":-1", ":x", ":8080:80"])
USERINFO = st.sampled_from(["", f"student:{SECRET}@", f"{SECRET}@", "@", f":{SECRET}@", "a@b@"])
REST = st.one_of(st.text(max_size=40), st.sampled_from(["/x" * 3000, "/\x00", "/\u202e", "/ a"]))


@st.composite
def url_like(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(SCHEMES))
    slashes = draw(st.sampled_from(["://", ":", ":/", ":///"]))
    return scheme + slashes + draw(USERINFO) + draw(HOSTS) + draw(PORTS) + draw(REST)


#: Paths a TARGET or ``seb inspect`` may name (a relative one is in the test's own folder).
SEB_PATHS = ["~nosuchuser/exam.seb", "~/exam.seb", "/dev/zero", "/dev/full", "", "-",
             "\x00.seb", "/" + "x" * 5000 + ".seb", "file:///dev/zero", "file://[::1/a.seb",
             "fifo.seb", "folder.seb", "junk.seb", "empty.seb", "missing.seb"]  # fmt: skip
TARGETS = st.one_of(url_like(), st.sampled_from(SEB_PATHS), st.text(max_size=60))


def _one_line(message: str, given: str) -> None:
    """One short line; the password not in it when ``given`` held it as a URL's credentials
    (Hypothesis also draws the test's own literals as plain text: a file so named is shown)."""
    assert "\n" not in message and "\r" not in message, repr(message)
    assert len(message) <= 420, message[:500]
    in_urls = re.findall(rf"[A-Za-z][A-Za-z0-9+.-]*:/*(?:[^/@\s]*:)?{SECRET}@", given)
    if given.count(SECRET) == len(in_urls):
        assert SECRET not in message, message


@FUZZ
@given(TARGETS)
def test_any_target_is_a_target_or_one_clear_line(text: str) -> None:
    try:
        target = parse_target(text)
    except UsageError as exc:
        _one_line(str(exc), text)
        assert exc.exit_code == 2
        return
    if target.url is not None:  # what the kiosk would open is a plain http(s) URL with a host
        parts = urlsplit(target.url)
        assert parts.scheme.lower() in ("http", "https") and parts.hostname
        assert "@" not in parts.netloc and len(target.url) <= MAX_URL + 1
    else:
        assert target.path is not None and target.path.name.lower().endswith(".seb")


# -- the whole command line -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Paths of every kind an option may be given, and an environment resolve refuses last."""
    root = tmp_path_factory.mktemp("odd")
    os.mkfifo(root / "fifo")
    os.mkfifo(root / "fifo.toml")
    os.mkfifo(root / "fifo.seb")
    (root / "folder").mkdir()
    (root / "folder.seb").mkdir()
    (root / "junk.seb").write_bytes(bytes(range(256)) * 3)
    (root / "empty.seb").write_bytes(b"")
    (root / "good.toml").write_text('[devices]\ncamera = "none"\n')
    (root / "bad.toml").write_text("[session]\nautostrat = 1\n")
    (root / "deep.toml").write_text("a = " + "[" * 10_000 + "]" * 10_000)
    (root / "latin1.toml").write_bytes(b'x = "\xe9"\n')
    (root / "file.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (root / "noise.wav").write_bytes(b"RIFF....WAVE")
    (root / "link.toml").symlink_to("/dev/zero")
    saved, cwd = dict(os.environ), Path.cwd()
    os.environ.pop(engine.ALLOW_UNSAFE_ENV, None)
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = "--remote-debugging-port=9"
    # resolve makes the folders and logs it is given: a relative or ~/ one lands in root
    os.environ["HOME"] = str(root)
    os.chdir(root)
    try:
        yield {p.name: str(p) for p in root.iterdir()} | {"root": str(root)}
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)


SPECIAL_PATHS = ["/dev/zero", "/dev/full", "/dev/null", "/proc/version", "", "~", "-", "\x00",
                 "/" + "x" * 5000, "/" + "x" * 300 + "/y", "~/home", "~nosuchuser/x"]  # fmt: skip
NAMES = ["fifo", "fifo.toml", "fifo.seb", "folder", "good.toml", "bad.toml", "deep.toml",
         "latin1.toml", "file.mp4", "noise.wav", "link.toml", "missing", "missing.wav"]  # fmt: skip


@st.composite
def a_path(draw: st.DrawFn, root: str) -> str:
    """Under ``root`` (the working folder and HOME of the test), or a fixed special path."""
    kind = draw(st.sampled_from(["name", "special", "text"]))
    if kind == "special":
        return draw(st.sampled_from(SPECIAL_PATHS))
    if kind == "name":
        return f"{root}/{draw(st.sampled_from(NAMES))}"
    text = draw(st.text(alphabet=st.characters(blacklist_characters="/."), max_size=30))
    return f"{root}/new/{text}"


@st.composite
def command_line(draw: st.DrawFn, odd: dict[str, str]) -> list[str]:
    """``run TARGET`` and options, each absent, good or bad, so that every check is reached."""
    root = odd["root"]
    good = {
        "--config": odd["good.toml"],
        "--camera": "none",
        "--microphone": "none",
        "--data-dir": f"{root}/data",
        "--event-log": f"{root}/events.jsonl",
    }
    target = draw(
        st.one_of(
            st.just("http://127.0.0.1/exam"),
            url_like().filter(lambda u: not u.lower().startswith("seb")),  # no network here
            st.sampled_from([f"{root}/fifo.seb", f"{root}/missing.seb", "sebs://127.0.0.1:1/x"]),
            st.text(max_size=20),
        )
    )
    argv = ["run", target]
    for option, fine in good.items():
        kind = draw(st.sampled_from(["absent", "good", "bad"]))
        if kind == "good":
            argv += [option, fine]
        elif kind == "bad":
            argv += [option, draw(st.one_of(a_path(root), st.text(max_size=20)))]
    argv += draw(
        st.lists(st.sampled_from(["--autostart", "--windowed", "--bogus", "-x"]), max_size=2)
    )
    if draw(st.integers(0, 9)) == 0:
        argv = draw(st.permutations(argv))
    if draw(st.integers(0, 9)) == 0:
        argv = ["run", "--untrusted-args", *draw(st.lists(st.text(max_size=10), max_size=2))]
    return argv


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_the_fuzzed_path_is_the_real_one(odd: dict[str, str]) -> None:
    """What the generated command lines rest on: a good command line gets to the end of
    resolve (the unsafe engine setting, refused last) and stops there."""
    code, out, err = _run(["run", "http://127.0.0.1/exam", "--config", odd["good.toml"],
                           "--data-dir", odd["root"] + "/data", "--camera", "none"])  # fmt: skip
    assert (code, out) == (2, "") and REFUSED_LAST in err


def _refused_in_one_line(argv: list[str]) -> str:
    code, out, err = _run(argv)
    assert code == 2, (argv, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: error: "), (argv, err)
    _one_line(lines[0], " ".join(argv))
    return lines[0]


@given(st.data())
@FUZZ
def test_any_command_line_is_exit_2_and_one_line(odd: dict[str, str], data: st.DataObject) -> None:
    _refused_in_one_line(data.draw(command_line(odd)))


@pytest.mark.parametrize(
    "option", ["--config", "--camera", "--microphone", "--data-dir", "--event-log"]
)
@given(st.data())
@settings(FUZZ, max_examples=80)
def test_any_value_of_one_option_is_exit_2_and_one_line(
    odd: dict[str, str], option: str, data: st.DataObject
) -> None:
    """The rest of the command line is good, so that the option's own check is reached."""
    value = data.draw(st.one_of(a_path(odd["root"]), st.text(max_size=30)))
    argv = ["run", "http://127.0.0.1/exam", "--camera", "none", "--microphone", "none",
            "--data-dir", odd["root"] + "/data", option, value]  # fmt: skip
    _refused_in_one_line(argv)


@given(st.one_of(st.sampled_from(SEB_PATHS), url_like(), st.text(max_size=40)))
@FUZZ
def test_any_seb_inspect_source_is_exit_2_and_one_line(odd: dict[str, str], source: str) -> None:
    """``kiosk seb inspect`` reads the same files and links (no network: a link that would
    fetch is pointed at a closed port)."""
    if source.lower().startswith("seb"):
        source = source[:5] + "127.0.0.1:1/" + source[5:]
    _refused_in_one_line(["seb", "inspect", source])


# -- the configuration file -----------------------------------------------------------------------

SECTIONS = ["", "[session]", "[devices]", "[window]", "[policy]", "[engine]", "[proctoring]",
            "[trust_score]", '[trust_score.weights."5005"]', "[session.tracking]", "[[x]]",
            "[policy.url_filter]", "[bogus]"]  # fmt: skip
KEYS = ["autostart", "camera", "data_dir", "event_log", "url_filter", "weights", "per_event",
        "clipboard", "analyse_fps", "audio", "x", '"q"', "a.b", "k" * 200]  # fmt: skip
ODD_VALUES = ["true", "1", "-1", "1e400", "nan", "inf", '"none"', "'x'", "[]", "{}", "1979-05-27",
              "07:32:00", '"""\n"""', "[1, 'a']", "{expression = 'x', action = 'allow'}",
              "[{expression = 'x'}]", "[" * 300 + "]" * 300, "{a = " * 200 + "1" + "}" * 200,
              "0x1F", '"\\u0000"', "[" * 2000]  # fmt: skip
VALUES = st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=20))


@st.composite
def toml_like(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        lines.append(draw(st.sampled_from(SECTIONS)))
        for _ in range(draw(st.integers(0, 3))):
            lines.append(f"{draw(st.sampled_from(KEYS))} = {draw(VALUES)}")
    return "\n".join(lines)


@FUZZ
@given(st.one_of(toml_like(), st.text(max_size=200), st.binary(max_size=200)))
def test_any_configuration_file_loads_or_is_one_line(
    tmp_path_factory: pytest.TempPathFactory, content: str | bytes
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzzed.toml"
    path.write_bytes(
        content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    )
    try:
        assert isinstance(load(path), KioskConfig)
    except UsageError as exc:
        _one_line(str(exc), content if isinstance(content, str) else content.decode("latin-1"))
        assert str(exc).startswith(f"config file {path}: ")
