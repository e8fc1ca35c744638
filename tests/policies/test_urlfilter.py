"""The SEB-style URL filter: rule semantics, refused schemes, conformance with SEB examples."""

from __future__ import annotations

import pytest

from policies.urlfilter import (
    ABOUT_BLANK,
    DATA_SUBRESOURCE,
    INVALID_URL,
    NO_RULE_MATCHED,
    SCHEME_REFUSED,
    START_ORIGIN,
    FilterDecision,
    FilterRule,
    UrlFilter,
)

START = "http://127.0.0.1:8000/exam/start"


def allow(expression: str, **kwargs: bool) -> FilterRule:
    return FilterRule(expression=expression, action="allow", **kwargs)


def block(expression: str, **kwargs: bool) -> FilterRule:
    return FilterRule(expression=expression, action="block", **kwargs)


# -- the filter: (rules, url, allowed, deciding rule) ---------------------------------------------

CASES: list[tuple[list[FilterRule], str, bool, str]] = [
    # The start origin is allowed; any path on it, any other origin is not.
    ([], "http://127.0.0.1:8000/exam/start", True, START_ORIGIN),
    ([], "http://127.0.0.1:8000/other/page?x=1#y", True, START_ORIGIN),
    ([], "http://127.0.0.1:8000", True, START_ORIGIN),
    ([], "http://127.0.0.1:8001/exam/start", False, NO_RULE_MATCHED),
    ([], "https://127.0.0.1:8000/exam/start", False, NO_RULE_MATCHED),
    ([], "http://localhost:8000/exam/start", False, NO_RULE_MATCHED),
    ([], "https://example.com/", False, NO_RULE_MATCHED),
    # Host without a leading dot: itself and its subdomains, nothing that merely ends alike.
    ([allow("example.com")], "https://example.com/", True, "example.com"),
    ([allow("example.com")], "https://www.example.com/a/b", True, "example.com"),
    ([allow("example.com")], "https://a.b.example.com/", True, "example.com"),
    ([allow("example.com")], "https://badexample.com/", False, NO_RULE_MATCHED),
    ([allow("example.com")], "https://example.com.evil.org/", False, NO_RULE_MATCHED),
    # Leading dot: exactly that host.
    ([allow(".example.com")], "https://example.com/", True, ".example.com"),
    ([allow(".example.com")], "https://www.example.com/", False, NO_RULE_MATCHED),
    # *.host: subdomains only.
    ([allow("*.example.com")], "https://www.example.com/", True, "*.example.com"),
    ([allow("*.example.com")], "https://example.com/", False, NO_RULE_MATCHED),
    # A block rule beats a broader allow rule, whatever the order of the rules.
    (
        [allow("example.com"), block("example.com/admin*")],
        "https://example.com/admin/users",
        False,
        "example.com/admin*",
    ),
    (
        [block("example.com/admin*"), allow("example.com")],
        "https://example.com/public",
        True,
        "example.com",
    ),
    # ... and beats the implicit start-origin rule too.
    (
        [block("127.0.0.1:8000/exam/secret")],
        "http://127.0.0.1:8000/exam/secret",
        False,
        "127.0.0.1:8000/exam/secret",
    ),
    # Spellings that must not dodge a block rule: dot segments, escaped letters, trailing dot.
    (
        [allow("*"), block("example.com/admin*")],
        "https://example.com/x/../admin",
        False,
        "example.com/admin*",
    ),
    (
        [allow("*"), block("example.com/admin*")],
        "https://example.com/%61dmin",
        False,
        "example.com/admin*",
    ),
    ([allow("*"), block("example.com")], "https://example.com./", False, "example.com"),
    ([allow("*"), block("example.com")], "https://EXAMPLE.com/", False, "example.com"),
    # A backslash is a slash to the browser: the host here is evil.org, not example.com.
    ([allow("example.com")], "https://evil.org\\@example.com/", False, NO_RULE_MATCHED),
    # Regex rules: searched anywhere in the URL, ignoring case.
    (
        [allow(r"^https://quiz\.example\.org/q/\d+$", regex=True)],
        "https://quiz.example.org/q/42",
        True,
        r"^https://quiz\.example\.org/q/\d+$",
    ),
    (
        [allow(r"^https://quiz\.example\.org/q/\d+$", regex=True)],
        "https://quiz.example.org/q/x",
        False,
        NO_RULE_MATCHED,
    ),
    ([allow(r"cdn\.example", regex=True)], "https://CDN.Example.net/lib.js", True, r"cdn\.example"),
    ([allow("*"), block(r"\.pdf$", regex=True)], "https://example.com/a.pdf", False, r"\.pdf$"),
    # Scheme-less expressions match http and https; a scheme narrows that.
    ([allow("example.com")], "http://example.com/", True, "example.com"),
    ([allow("https://example.com")], "http://example.com/", False, NO_RULE_MATCHED),
    ([allow("https://example.com")], "https://example.com/", True, "https://example.com"),
    ([allow("http*://example.com")], "https://example.com/", True, "http*://example.com"),
    # Paths: exact (with or without trailing slash), prefixes by wildcard, case-sensitive.
    ([allow("example.com/exam")], "https://example.com/exam", True, "example.com/exam"),
    ([allow("example.com/exam")], "https://example.com/exam/", True, "example.com/exam"),
    ([allow("example.com/exam")], "https://example.com/exam/1", False, NO_RULE_MATCHED),
    ([allow("example.com/exam")], "https://example.com/Exam", False, NO_RULE_MATCHED),
    ([allow("example.com/exam/*")], "https://example.com/exam/1/2", True, "example.com/exam/*"),
    ([allow("example.com/exam/*")], "https://example.com/examination", False, NO_RULE_MATCHED),
    (
        [allow("example.com/*/static/*")],
        "https://example.com/a/static/x.css",
        True,
        "example.com/*/static/*",
    ),
    # Queries: "?." forbids one.
    ([allow("example.com?.")], "https://example.com/page", True, "example.com?."),
    ([allow("example.com?.")], "https://example.com/page?x=1", False, NO_RULE_MATCHED),
    ([allow("example.com?id=*")], "https://example.com/?id=7", True, "example.com?id=*"),
    # Ports: default per scheme, explicit, or any.
    ([allow("example.com:443")], "https://example.com/", True, "example.com:443"),
    ([allow("example.com:443")], "http://example.com/", False, NO_RULE_MATCHED),
    ([allow("example.com:8443")], "https://example.com:8443/", True, "example.com:8443"),
    ([allow("example.com:8443")], "https://example.com/", False, NO_RULE_MATCHED),
    ([allow("example.com:*")], "https://example.com:9999/", True, "example.com:*"),
    ([], "http://127.0.0.1:8000/", True, START_ORIGIN),
    # Case-insensitive scheme and host, in both rule and URL.
    ([allow("HTTPS://Example.COM")], "hTTps://eXample.com/", True, "HTTPS://Example.COM"),
    ([], "HTTP://127.0.0.1:8000/x", True, START_ORIGIN),
    # Internationalised hosts match in either spelling.
    ([allow("bücher.example")], "https://xn--bcher-kva.example/", True, "bücher.example"),
    ([allow("xn--bcher-kva.example")], "https://bücher.example/", True, "xn--bcher-kva.example"),
    # IPv6 hosts.
    ([allow("[::1]:8080")], "http://[::1]:8080/", True, "[::1]:8080"),
    ([allow("[::1]:8080")], "http://[::2]:8080/", False, NO_RULE_MATCHED),
    # Inactive rules are ignored.
    ([allow("example.com", active=False)], "https://example.com/", False, NO_RULE_MATCHED),
    ([allow("*"), block("example.com", active=False)], "https://example.com/", True, "*"),
    # Refused schemes, even with an allow-all rule.
    ([allow("*")], "file:///etc/passwd", False, SCHEME_REFUSED),
    ([allow("*")], "view-source:http://127.0.0.1:8000/", False, SCHEME_REFUSED),
    ([allow("*")], "chrome://settings", False, SCHEME_REFUSED),
    ([allow("*")], "qrc:/index.html", False, SCHEME_REFUSED),
    ([allow("*")], "javascript:alert(1)", False, SCHEME_REFUSED),
    ([allow("*")], " JavaScript:alert(1)", False, SCHEME_REFUSED),
    ([allow("*")], "java\tscript:alert(1)", False, SCHEME_REFUSED),
    ([allow("*")], "ftp://example.com/", False, SCHEME_REFUSED),
    ([allow("*")], "ws://example.com/", False, SCHEME_REFUSED),
    ([allow("*")], "chrome-extension://abc/x", False, SCHEME_REFUSED),
    ([allow("*")], "data:text/html,<h1>hi</h1>", False, SCHEME_REFUSED),
    ([allow("*")], "about:config", False, SCHEME_REFUSED),
    ([allow("*")], "example.com", False, SCHEME_REFUSED),
    ([allow("*")], "", False, SCHEME_REFUSED),
    ([allow("*")], "https://example.com/", True, "*"),
    ([], "about:blank", True, ABOUT_BLANK),
    # Unparseable http(s) URLs are denied, never guessed at.
    ([allow("*")], "http://exa mple.com/", False, INVALID_URL),
    ([allow("*")], "http://example.com:99999/", False, INVALID_URL),
    ([allow("*")], "http:///path", False, INVALID_URL),
]


@pytest.mark.parametrize(("rules", "url", "allowed", "rule"), CASES)
def test_decide_top_level(rules: list[FilterRule], url: str, allowed: bool, rule: str) -> None:
    assert UrlFilter(rules, START).decide(url) == FilterDecision(allowed, rule, url)


# -- sub-resources: data:, blob:, about: ----------------------------------------------------------

SUB_CASES: list[tuple[str, bool, str]] = [
    ("data:image/png;base64,iVBORw0KGgo=", True, DATA_SUBRESOURCE),
    ("blob:http://127.0.0.1:8000/6f1d2c7e-0c3a-4b8e-9a59-3f3f1b7e1c11", True, START_ORIGIN),
    ("blob:https://cdn.example.com/6f1d2c7e", True, "cdn.example.com"),
    ("blob:https://evil.org/6f1d2c7e", False, NO_RULE_MATCHED),
    ("blob:null/6f1d2c7e", False, SCHEME_REFUSED),
    ("about:blank", True, ABOUT_BLANK),
    ("about:srcdoc", True, ABOUT_BLANK),
    ("file:///etc/passwd", False, SCHEME_REFUSED),
    ("https://cdn.example.com/lib.js", True, "cdn.example.com"),
    ("https://evil.org/lib.js", False, NO_RULE_MATCHED),
]


@pytest.mark.parametrize(("url", "allowed", "rule"), SUB_CASES)
def test_decide_sub_resource(url: str, allowed: bool, rule: str) -> None:
    decision = UrlFilter([allow("cdn.example.com")], START).decide(url, top_level=False)
    assert decision == FilterDecision(allowed, rule, url)


@pytest.mark.parametrize(
    "url", ["data:image/png;base64,iVBORw0KGgo=", "blob:http://127.0.0.1:8000/6f1d2c7e"]
)
def test_data_and_blob_are_refused_at_the_top_level(url: str) -> None:
    assert UrlFilter([allow("*")], START).decide(url, top_level=True).allowed is False


def test_blob_of_a_blocked_origin_is_blocked() -> None:
    decision = UrlFilter([block("127.0.0.1")], START).decide(
        "blob:http://127.0.0.1:8000/6f1d2c7e", top_level=False
    )
    assert decision == FilterDecision(False, "127.0.0.1", "blob:http://127.0.0.1:8000/6f1d2c7e")


# -- rules that cannot load -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expression": "(unclosed", "regex": True}, r"'\(unclosed': invalid regular expression"),
        ({"expression": "  "}, "empty expression"),
        ({"expression": "example.com:http"}, "'example.com:http' has an invalid port"),
        ({"expression": "example.com:70000"}, "invalid port"),
        ({"expression": "/exam"}, "'/exam' has no host"),
        ({"expression": "https://"}, "has no host"),
        ({"expression": "exa mple.com"}, "invalid host"),
        ({"expression": "[::1"}, "invalid IPv6 host"),
        ({"expression": ":secret@example.com"}, "password without a user name"),
    ],
)
def test_invalid_rules_raise_naming_the_rule(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FilterRule.model_validate({"action": "allow", **kwargs})


def test_invalid_action_is_refused() -> None:
    with pytest.raises(ValueError):
        FilterRule.model_validate({"expression": "example.com", "action": "maybe"})


@pytest.mark.parametrize("start", ["file:///exam.html", "about:blank", "not a url"])
def test_start_url_must_be_http(start: str) -> None:
    with pytest.raises(ValueError, match="start URL"):
        UrlFilter([], start)


def test_rules_are_immutable() -> None:
    rule = allow("example.com")
    with pytest.raises(ValueError):
        rule.expression = "*"  # type: ignore[misc]


# -- conformance: SEB's own simplified-rule examples (SimplifiedRuleTests.cs), restated ----------
# (expression, URLs it must match, URLs it must not match); "scheme" stands for any scheme.

SEB: list[tuple[str, list[str], list[str]]] = [
    (
        "hostname123",  # letters and digits only: that host and nothing else
        ["scheme://hostname123"],
        [
            "scheme://hostname12",
            "scheme://hostname1234",
            "scheme://hostname123.org",
            "scheme://www.hostname123.org",
            "scheme://www.realhost.hostname123",
            "hostname123://www.host.org",
            "scheme://www.host.org/hostname123/path",
            "scheme://www.host.org/path?param=hostname123",
            "scheme://hostname123:password@www.host.org",
            "scheme://user:password@www.host.org/path?param=123#hostname123",
        ],
    ),
    (
        "hostname*",
        [
            "scheme://hostname.org",
            "scheme://hostname-abc-def-123-456.org",
            "scheme://www.realhost.hostname",
            "scheme://subdomain.hostname.realhost.org",
            "scheme://user:password@www.hostname-abc.org/path/file.txt?param=123#fragment",
        ],
        ["scheme://hostnam.org", "hostname://www.host.org", "scheme://user:hostname@www.host.org"],
    ),
    (
        "123-hostname.org",
        [
            "scheme://123-hostname.org",
            "scheme://subdomain-1.subdomain-2.123-hostname.org",
            "scheme://user:password@www.123-hostname.org/path/file.txt?param=123#fragment",
        ],
        [
            "scheme://123-host.org",
            "scheme://123-hostname.org.com",
            "scheme://123-hostnames.org",
            "scheme://123-hostname.org.realhost.org",
            "scheme://www.host.org/123-hostname.org/path",
        ],
    ),
    (
        "test.*.org",
        ["scheme://test.host.org", "scheme://test.host.domain.org", "scheme://sub.test.host.org"],
        ["scheme://test.org", "scheme://host.com/test.host.org"],
    ),
    (
        "test.host.*",
        ["scheme://test.host.org", "scheme://test.host.domain.org", "scheme://sub.test.host.org"],
        ["scheme://host.com", "scheme://test.host", "scheme://host.com/test.host.txt"],
    ),
    (
        "*.org",
        ["scheme://domain.org", "scheme://test.host.domain.org"],
        ["scheme://org", "scheme://host.com", "scheme://host.com/test.org"],
    ),
    (
        ".www.host.org",
        ["scheme://www.host.org", "scheme://user:password@www.host.org/p/f.txt?a=1#f"],
        ["scheme://host.org", "scheme://test.www.host.org", "scheme://www.host.org.com"],
    ),
    (
        "host.org/",  # a bare slash is no path constraint
        ["scheme://host.org", "scheme://host.org/url/path/", "scheme://u:p@www.host.org/url?a=1#f"],
        [],
    ),
    (
        "host.org:2020",
        ["scheme://host.org:2020", "scheme://www.host.org:2020"],
        ["scheme://host.org", "scheme://www.host.org:202", "scheme://www.host.org:20202"],
    ),
    (
        "host.org:*",
        ["scheme://host.org", "scheme://host.org:0", "scheme://host.org:65535"],
        [],
    ),
    (
        "*:2020",
        ["scheme://host.org:2020", "scheme://user:password@www.server.net:2020/p?a=1#f"],
        ["scheme://host.org", "scheme://host.org:2021", "scheme://host.org:0"],
    ),
    (
        "host.org/url/path",
        [
            "scheme://host.org/url/path",
            "scheme://host.org/url/path/",
            "scheme://user:password@www.host.org/url/path?param=123#fragment",
        ],
        [
            "scheme://host.org",
            "scheme://host.org//",
            "scheme://host.org/url",
            "scheme://host.org/url/path.txt",
            "scheme://host.org/another/url/path",
        ],
    ),
    (
        "host.org/url/path/to/file.txt",
        ["scheme://subdomain.host.org/url/path/to/file.txt"],
        [
            "scheme://host.org/url/path/to/file",
            "scheme://host.org/url/path/to/file.txt/segment",
            "scheme://host.org/url/path/to/file.txtt",
        ],
    ),
    (
        "host.org/*/path",
        ["scheme://host.org//path", "scheme://host.org/another/url/path"],
        [
            "scheme://host.org/path",
            "scheme://host.org/url/path.txt",
            "scheme://host.org/url/path/2",
        ],
    ),
    (
        "*/url/path",
        ["scheme://local/url/path", "scheme://another.server.org/url/path"],
        ["scheme://host.org/url", "scheme://host.org/url/path/2"],
    ),
    (
        "scheme://host.org",
        ["scheme://host.org", "scheme://www.host.org"],
        ["//host.org", "https://host.org", "ftp://host.org", "schemes://host.org"],
    ),
    (
        "*tp://host.org",
        ["tp://host.org", "ftp://www.host.org", "http://user:password@www.host.org/url?a=1#f"],
        ["//host.org", "p://host.org", "https://host.org", "ftps://host.org"],
    ),
    (
        "scheme://*",
        ["scheme://host", "scheme://subdomain.domain.org"],
        ["http://host.org", "ftps://host.org"],
    ),
    (
        "user@host.org",
        ["scheme://user@host.org", "scheme://user:password-123@host.org"],
        ["scheme://use@host.org", "scheme://usera@host.org", "scheme://user@server.net"],
    ),
    (
        "user*@host.org",
        ["scheme://user@host.org", "scheme://userabc@host.org", "scheme://user-123:pw@host.org"],
        ["scheme://use@host.org", "scheme://user@server.net"],
    ),
    (
        "user:password@host.org",
        ["scheme://user:password@host.org", "scheme://user:password@www.host.org/url?a=1#f"],
        [
            "scheme://user@host.org",
            "scheme://user:abc@host.org",
            "scheme://user-123:password@host.org",
            "scheme://user:password-123@host.org",
        ],
    ),
    (
        "*@host.org",
        ["scheme://host.org", "scheme://user@host.org", "scheme://user:password@host.org"],
        ["scheme://server.org", "scheme://user@server.org"],
    ),
    (
        "user:password@*",
        ["scheme://user:password@host.org", "scheme://user:password@server.net"],
        ["scheme://host.org", "scheme://user@host.org", "scheme://password@host.org"],
    ),
    (
        "host.org?param=123",
        ["scheme://host.org?param=123", "scheme://www.host.org/some/random/path?param=123"],
        ["scheme://host.org?", "scheme://host.org?param=", "scheme://host.org?param=1234"],
    ),
    (
        "host.org?*param=123",
        ["scheme://host.org?param=123", "scheme://host.org?other_param=456&param=123"],
        ["scheme://host.org?aram=123", "scheme://host.org?param=123&another_param=456"],
    ),
    (
        "host.org?param=123*",
        ["scheme://host.org?param=1234", "scheme://host.org?param=123&another_param=456"],
        ["scheme://host.org?aparam=123", "scheme://www.host.org?param=456&param=123"],
    ),
    (
        "host.org?.",
        ["scheme://host.org", "scheme://host.org?", "scheme://u:p@www.host.org/url/path?#f"],
        ["scheme://host.org?a", "scheme://host.org?%20", "scheme://host.org?="],
    ),
    (
        "*?param=123",
        ["scheme://host.org?param=123", "scheme://u:p@www.server.net/url?param=123#f"],
        ["scheme://host.org?param=12", "scheme://host.org?param", "scheme://host.org?"],
    ),
    (
        "host.org#fragment",
        ["scheme://host.org#fragment", "scheme://u:p@www.host.org/url/f.txt?a=1#fragment"],
        ["scheme://host.org", "scheme://host.org#", "scheme://host.org#fragment123"],
    ),
    (
        "host.org#*fragment",
        ["scheme://host.org#fragment", "scheme://www.host.org#another_fragment"],
        ["scheme://host.org#fragmen", "scheme://host.org#fragment123"],
    ),
    (
        "*#fragment",
        ["scheme://host.org#fragment", "scheme://server.net#fragment"],
        ["scheme://host.org", "scheme://host.org#fragment123"],
    ),
]


@pytest.mark.parametrize(("expression", "positive", "negative"), SEB, ids=[c[0] for c in SEB])
def test_seb_simplified_examples(expression: str, positive: list[str], negative: list[str]) -> None:
    rule = allow(expression)
    assert [url for url in positive if not rule.matches(url)] == []
    assert [url for url in negative if rule.matches(url)] == []


def test_seb_ignores_case_but_we_keep_paths_exact() -> None:
    """SEB's MustIgnoreCase example, minus the path: only scheme and host ignore case here."""
    rule = allow("http://www.test.org/path/file.txt?param=123")
    assert rule.matches("hTtP://wWw.TeSt.OrG/path/file.txt?param=123")
    assert not rule.matches("http://www.test.org/pAtH/fIlE.tXt?param=123")
    regex = allow(r"http://www\.test\.org/path/file\.txt\?param=123", regex=True)
    assert regex.matches("HtTp://WwW.tEst.oRg/PaTh/FiLe.TxT?pArAm=123")  # as in SEB


def test_seb_block_rules_first_then_allow_then_default() -> None:
    """SEB's RequestFilter: a matching block rule wins, else a matching allow rule, else block."""
    rules = [allow("*"), block("*")]
    assert UrlFilter(rules, START).decide("https://example.com/").allowed is False
    rules = [allow("example.com"), block("other.org")]
    assert UrlFilter(rules, START).decide("https://example.com/").allowed is True
    assert UrlFilter(rules, START).decide("https://third.net/").allowed is False
