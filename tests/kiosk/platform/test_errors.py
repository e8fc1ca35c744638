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
