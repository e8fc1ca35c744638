"""The flags that send what the URL filter never sees to the kiosk's own gate."""

from __future__ import annotations

import pytest

from policies.network import WEBRTC_POLICY, bypass_rules, engine_flags, gate_target, tunnel_admits
from policies.urlfilter import FilterRule, UrlFilter


def _filter(*allow: str, start: str = "https://exam.example.org/quiz") -> UrlFilter:
    return UrlFilter([FilterRule(expression=e, action="allow") for e in allow], start)


def test_the_start_origin_is_its_host_and_port() -> None:
    assert bypass_rules(_filter().admitted_hosts()) == ["exam.example.org:443"]
    assert bypass_rules(_filter(start="http://127.0.0.1:8000/x").admitted_hosts()) == [
        "127.0.0.1:8000"
    ]


@pytest.mark.parametrize(
    ("expression", "rules"),
    [
        ("cdn.example.org", ["cdn.example.org", ".cdn.example.org"]),  # SEB: subdomains too
        (".cdn.example.org", ["cdn.example.org"]),  # only itself
        ("*.example.org", ["*.example.org"]),
        ("localhost:8080", ["localhost:8080"]),  # a name without dots: itself
        ("https://files.example.org:8443/exam/*", ["files.example.org:8443",
                                                  ".files.example.org:8443"]),
        ("[::1]:9000", ["[::1]:9000"]),
        ("10.0.0.7:8080", ["10.0.0.7:8080"]),  # an address has no names below it
        ("bücher.example", ["xn--bcher-kva.example", ".xn--bcher-kva.example"]),
    ],
)  # fmt: skip
def test_allow_rules_become_the_hosts_that_bypass_the_gate(
    expression: str, rules: list[str]
) -> None:
    assert bypass_rules(_filter(expression).admitted_hosts()) == ["exam.example.org:443", *rules]


def test_block_rules_and_inactive_rules_open_nothing() -> None:
    urls = UrlFilter(
        [
            FilterRule(expression="exam.example.org/admin", action="block"),
            FilterRule(expression="other.example.org", action="allow", active=False),
        ],
        "https://exam.example.org/",
    )
    assert bypass_rules(urls.admitted_hosts()) == ["exam.example.org:443"]


def test_a_filter_that_names_no_host_lets_every_host_bypass() -> None:
    """A regex rule decides whole URLs: no host can be told from it. Nor from ``*``."""
    regex = UrlFilter(
        [FilterRule(expression=r"^https://(www\.)?example\.org/", action="allow", regex=True)],
        "https://exam.example.org/",
    )
    assert regex.admitted_hosts() is None
    assert bypass_rules(regex.admitted_hosts()) == ["*"]
    assert bypass_rules(_filter("*").admitted_hosts()) == ["*"]


def test_the_engine_flags_turn_webrtc_udp_off_and_name_the_gate() -> None:
    flags = engine_flags(40123, _filter("cdn.example.org").admitted_hosts())
    assert flags == [
        WEBRTC_POLICY,
        "--proxy-server=http://127.0.0.1:40123",
        "--proxy-bypass-list=<-loopback>;exam.example.org:443;cdn.example.org;.cdn.example.org",
    ]
    assert not any(" " in flag or '"' in flag for flag in flags)  # Qt splits on both


@pytest.mark.parametrize(
    ("line", "target"),
    [
        ("CONNECT 10.1.2.3:3478 HTTP/1.1", "10.1.2.3:3478"),
        ("GET http://evil.example:8080/answers?q=1 HTTP/1.1", "evil.example:8080"),
        ("garbage", ""),
        ("", ""),
    ],
)
def test_the_gate_names_the_host_a_connection_was_for(line: str, target: str) -> None:
    assert gate_target(line) == target


@pytest.mark.parametrize(
    ("target", "carried"),
    [
        ("exam.example.org:443", True),  # the start origin
        ("exam.example.org:8443", False),  # ... on its own port only
        ("cdn.example.org:443", True),  # an allow rule without a port: any port
        ("img.cdn.example.org:9", True),  # SEB: its subdomains too
        ("EXAM.example.org:443", True),  # host names have no case
        ("evil.example.org:443", False),
        ("cdn.example.org.evil:443", False),
        ("[::1]:9000", True),
        ("[::1]:9001", False),
        ("exam.example.org", False),  # no port: not a CONNECT target
        ("exam.example.org:99999", False),
        ("", False),
    ],
)
def test_the_gate_carries_only_what_the_run_admits(target: str, carried: bool) -> None:
    """A later run in the same engine: the gate carries CONNECTs to its filter's hosts."""
    hosts = _filter("cdn.example.org", "[::1]:9000").admitted_hosts()
    assert tunnel_admits(hosts, target) is carried


def test_a_filter_that_names_no_host_has_every_host_carried() -> None:
    assert tunnel_admits(None, "anything.example:1")
    assert not tunnel_admits(None, "not a target")
