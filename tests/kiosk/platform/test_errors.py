"""The one line every error ends as, whatever the input it quotes."""

from __future__ import annotations

from kiosk.platform.errors import LINE_LIMIT, hide_credentials, one_line


def test_credentials_are_hidden_wherever_a_url_is() -> None:
    assert hide_credentials("x 'https://student:pw@exam.org/a' and kiosk://t@h/") == (
        "x 'https://...@exam.org/a' and kiosk://...@h/"
    )
    assert (
        hide_credentials("mailto-like student@exam.org stays")
        == "mailto-like student@exam.org stays"
    )


def test_one_line_escapes_control_characters_and_cuts_the_length() -> None:
    assert one_line("a\nb\rc\x00d\u202ee") == "a\\nb\\rc\\x00d\\u202ee"
    long = one_line("x" * 100_000)
    assert len(long) == LINE_LIMIT and long.endswith("...")


def test_what_follows_anything_like_a_scheme_is_hidden_too() -> None:
    """``http:student:pw@host`` has no host for urlsplit, yet a browser may still read one."""
    assert hide_credentials("TARGET 'http:student:pw@exam.org'") == "TARGET 'http:...@exam.org'"


def test_hiding_takes_linear_time_whatever_the_text() -> None:
    """A 100 KB URL of one letter took 16 s to refuse: the pattern tried every position as a
    scheme's start and ran on to the end each time. Each shape below is 200,000 characters.
    The bound is a hang guard in CPU time (the quadratic pattern needs about a minute for
    these, the linear walk a tenth of a second), not a speed target: that is bench/'s."""
    import time

    for shape in ("a", "a:", "a:/", "a.", "1a:", "a:a@", ":@", "1:@", "a://b@", "/"):
        text = "http://h/?q=" + shape * (200_000 // len(shape))
        began = time.process_time()
        hidden = hide_credentials(text)
        assert time.process_time() - began < 5, shape
        assert len(hidden) <= 2 * len(text)  # "..." for each "user@" at most
