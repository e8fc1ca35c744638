"""URL filter with Safe Exam Browser semantics: it decides every request of the exam; default deny.

The rule model follows SEB for Windows (seb-win-refactoring, ``SafeExamBrowser.Browser/Filters``):
block rules are checked before allow rules, an unmatched URL is blocked, and the start URL's
origin is allowed by an implicit allow rule (so block rules still beat it). Simplified (non-regex)
expressions have the form ``[scheme://][user[:password]@]host[:port][/path][?query][#fragment]``
with ``*`` wildcards; a missing part matches anything. Hosts: ``example.com`` also matches its
subdomains, ``.example.com`` matches only itself, ``*.example.com`` only its subdomains, and a
host without dots (``localhost``) only itself. A path matches with or without a trailing slash;
``?.`` means "no query". Regex rules are searched (not anchored) in the URL, ignoring case.

Deliberate differences from SEB, which ignores case everywhere: only scheme and host (and regex
rules) ignore case; user info, path, query and fragment match exactly.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

# Why a URL was decided the way it was, when no rule expression decided it.
START_ORIGIN = "start origin"
NO_RULE_MATCHED = "no rule matched"
SCHEME_REFUSED = "scheme refused"
INVALID_URL = "invalid URL"
ABOUT_BLANK = "about:blank"
DATA_SUBRESOURCE = "data: sub-resource"

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_WEB = frozenset({"http", "https"})  # the only schemes rules can allow
_ABOUT_OK = frozenset({"about:blank", "about:srcdoc"})
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_URL_HOST = re.compile(r"[a-z0-9._~-]+|[0-9a-f:.]+")  # after IDNA; the second is IPv6
_RULE_HOST = re.compile(r"[a-z0-9._~*-]+")
_RULE_IPV6 = re.compile(r"[0-9a-f:.*]+")
_RULE_SCHEME = re.compile(r"([A-Za-z0-9+.*-]*)://")


@dataclass(frozen=True)
class FilterDecision:
    allowed: bool
    rule: str | None  # the expression that decided, or one of the constants above
    url: str


@dataclass(frozen=True)
class AdmittedHost:
    """A host (``*`` wildcards, IPv6 without brackets) and port a rule can admit; ``port`` None
    is any port, ``subdomains`` also admits every name below ``host``."""

    host: str
    subdomains: bool
    port: int | None


@dataclass(frozen=True)
class _Url:
    """A URL reduced to what rules look at, normalised so that spellings cannot dodge a rule."""

    scheme: str
    userinfo: str
    host: str  # lower-case ASCII (IDNA), no trailing dot, IPv6 without brackets
    port: int | None  # explicit, else the scheme's default
    path: str
    query: str
    fragment: str

    @property
    def text(self) -> str:
        """The canonical URL that regex rules search, so they see what simplified rules see."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        userinfo = f"{self.userinfo}@" if self.userinfo else ""
        port = "" if self.port == _DEFAULT_PORTS.get(self.scheme) else f":{self.port}"
        query = f"?{self.query}" if self.query else ""
        fragment = f"#{self.fragment}" if self.fragment else ""
        return f"{self.scheme}://{userinfo}{host}{port}{self.path}{query}{fragment}"


def _clean(url: str) -> str:
    """Trim and drop tabs/newlines as browsers do (WHATWG), so ``java\\tscript:`` is seen."""
    return _TAB_NEWLINE.sub("", url.strip(_C0_AND_SPACE))


def _normalise_percent(text: str) -> str:
    """Decode escaped unreserved characters (RFC 3986 6.2.2): ``/%61dmin`` is ``/admin``."""

    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _PCT.sub(one, text)


def _remove_dot_segments(path: str) -> str:
    """Resolve ``.`` and ``..`` (RFC 3986 5.2.4), so ``/x/../admin`` meets rules on ``/admin``."""
    segments = path.split("/")[1:]
    out: list[str] = []
    for segment in segments:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments and segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def _parse_url(url: str) -> _Url:
    """Parse an absolute URL with an authority; raise ValueError on anything unclear."""
    url = _clean(url)
    scheme = url.partition(":")[0].lower()
    if scheme in _DEFAULT_PORTS:
        url = url.replace("\\", "/")  # browsers read "\" as "/" here; urlsplit does not
    parts = urlsplit(url)
    if not parts.scheme or not url[len(parts.scheme) :].startswith("://"):
        raise ValueError("not an absolute URL with a host")
    host = (parts.hostname or "").removesuffix(".")
    if not host.isascii():
        host = host.encode("idna").decode("ascii")  # UnicodeError is a ValueError
    host = host.lower()
    if not _URL_HOST.fullmatch(host):
        raise ValueError(f"bad host {host!r}")
    port = parts.port  # raises ValueError when out of range or not a number
    path = _remove_dot_segments(_normalise_percent(parts.path or "/"))
    return _Url(
        scheme=parts.scheme.lower(),
        userinfo=parts.netloc.rpartition("@")[0],
        host=host,
        port=port if port is not None else _DEFAULT_PORTS.get(parts.scheme.lower()),
        path=path,
        query=_normalise_percent(parts.query),
        fragment=_normalise_percent(parts.fragment),
    )


def _glob(text: str) -> str:
    """Escape ``text`` for a regex, ``*`` standing for any run of characters."""
    return "".join(".*" if char == "*" else re.escape(char) for char in text)


def _pattern(regex: str, ignore_case: bool = False) -> re.Pattern[str]:
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@dataclass(frozen=True)
class _Simplified:
    """A compiled simplified expression; ``None`` parts match anything."""

    scheme: re.Pattern[str] | None
    userinfo: re.Pattern[str] | None
    host: re.Pattern[str]
    port: int | None
    path: re.Pattern[str] | None
    query: re.Pattern[str] | None
    fragment: re.Pattern[str] | None
    admits: AdmittedHost

    def matches(self, url: _Url) -> bool:
        return (
            (self.scheme is None or self.scheme.fullmatch(url.scheme) is not None)
            and (self.userinfo is None or self.userinfo.fullmatch(url.userinfo) is not None)
            and self.host.fullmatch(url.host) is not None
            and (self.port is None or self.port == url.port)
            and (self.path is None or self.path.fullmatch(url.path) is not None)
            and (self.query is None or self.query.fullmatch(url.query) is not None)
            and (self.fragment is None or self.fragment.fullmatch(url.fragment) is not None)
        )


def _host_pattern(host: str, bracketed: bool) -> tuple[re.Pattern[str], AdmittedHost]:
    exact = bracketed or host.startswith(".")
    host = host.removeprefix(".").lower() if not bracketed else host.lower()
    if not host:
        raise ValueError("has no host (use * for any host)")
    if not bracketed and not host.isascii():
        labels = host.split(".")
        host = ".".join(lab if "*" in lab else lab.encode("idna").decode("ascii") for lab in labels)
    if not (_RULE_IPV6 if bracketed else _RULE_HOST).fullmatch(host):
        raise ValueError(f"has an invalid host {host!r}")
    # SEB: a host of letters and digits only (e.g. "localhost") never means its subdomains.
    exact = exact or host.isalnum()
    body = _glob(host)
    pattern = _pattern(body if exact else rf"(?:.+\.)?{body}", ignore_case=True)
    return pattern, AdmittedHost(host, subdomains=not exact, port=None)


def _port(text: str) -> int | None:
    if text == "*":
        return None
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise ValueError(f"has an invalid port {text!r} (a number or *)")
    return int(text)


def _compile_simplified(expression: str) -> _Simplified:
    rest, _, fragment = expression.partition("#")
    rest, _, query = rest.partition("?")
    scheme_match = _RULE_SCHEME.match(rest)
    scheme = scheme_match.group(1) if scheme_match else ""
    rest = rest[scheme_match.end() :] if scheme_match else rest
    authority, slash, path = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        host, bracket, port_part = hostport[1:].partition("]")
        if not bracket or (port_part and not port_part.startswith(":")):
            raise ValueError(f"has an invalid IPv6 host {hostport!r}")
        port_text: str | None = port_part[1:] if port_part else None
    else:
        host, colon, after = hostport.partition(":")
        port_text = after if colon else None
    user, colon, password = userinfo.partition(":")
    if at and not user and password:
        raise ValueError("has a password without a user name")
    user_regex = None
    if user:
        user_regex = f"{_glob(user)}:{_glob(password)}" if password else f"{_glob(user)}(?::.*)?"
    path = _normalise_percent(f"{slash}{path}")
    path_regex = None
    if path not in ("", "/"):
        path_regex = _glob(path) + ("?" if path.endswith("/") else "/?")
    query, fragment = query.strip(), fragment.strip()
    host_regex, host_admitted = _host_pattern(host, bracketed=hostport.startswith("["))
    port = _port(port_text) if port_text is not None else None
    return _Simplified(
        scheme=_pattern(_glob(scheme), ignore_case=True) if scheme else None,
        userinfo=_pattern(user_regex) if user_regex else None,
        host=host_regex,
        port=port,
        path=_pattern(path_regex) if path_regex else None,
        # SEB: "?." means the URL must have no query.
        query=_pattern("" if query == "." else _glob(_normalise_percent(query))) if query else None,
        fragment=_pattern(_glob(fragment)) if fragment else None,
        admits=AdmittedHost(host_admitted.host, host_admitted.subdomains, port),
    )


class FilterRule(BaseModel):
    """One SEB filter rule; the expression is compiled once, and a bad one fails at load."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    expression: str
    action: Literal["allow", "block"]
    regex: bool = False
    active: bool = True

    _regex: re.Pattern[str] | None = PrivateAttr(default=None)
    _simplified: _Simplified | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _compile(self) -> FilterRule:
        expression = self.expression.strip()
        if not expression:
            raise ValueError("filter rule has an empty expression")
        if self.regex:
            try:
                self._regex = _pattern(expression, ignore_case=True)
            except re.error as error:
                raise ValueError(
                    f"filter rule {self.expression!r}: invalid regular expression: {error}"
                ) from None
        else:
            try:
                self._simplified = _compile_simplified(expression)
            except ValueError as error:
                raise ValueError(f"filter rule {self.expression!r} {error}") from None
        return self

    def matches(self, url: str) -> bool:
        """Whether the expression matches ``url`` (any scheme; activity and action aside)."""
        try:
            return self._matches(_parse_url(url))
        except ValueError:
            return False

    def _matches(self, url: _Url) -> bool:
        if self._regex is not None:
            return self._regex.search(url.text) is not None
        return self._simplified is not None and self._simplified.matches(url)


class UrlFilter:
    """Decides URLs: refused schemes, then block rules, allow rules, the start origin; else deny."""

    def __init__(self, rules: Iterable[FilterRule], start_url: str) -> None:
        active = [rule for rule in rules if rule.active]
        self._block = tuple(rule for rule in active if rule.action == "block")
        self._allow = tuple(rule for rule in active if rule.action == "allow")
        try:
            start = _parse_url(start_url)
        except ValueError as error:
            raise ValueError(f"start URL {start_url!r} is not a valid URL: {error}") from None
        if start.scheme not in _WEB:
            raise ValueError(f"start URL {start_url!r} must be http or https")
        self._start_origin = (start.scheme, start.host, start.port)

    def decide(self, url: str, *, top_level: bool = True) -> FilterDecision:
        """Decide ``url``; ``top_level`` is False for subframes and sub-resources.

        Only http(s) URLs meet the rules. ``about:blank`` is always fine; ``data:`` only below
        the top level (a top-level data: page would be content no rule vouches for); ``blob:``
        only below the top level and only when its creator's origin is allowed. Every other
        scheme (file:, view-source:, chrome:, qrc:, javascript:, ftp:, ws: ...) is refused.
        """
        cleaned = _clean(url)
        scheme = cleaned.partition(":")[0].lower() if ":" in cleaned else ""
        if scheme in _WEB:
            return self._decide_web(url, cleaned)
        if scheme == "about" and re.split(r"[?#]", cleaned.lower())[0] in _ABOUT_OK:
            return FilterDecision(True, ABOUT_BLANK, url)
        if scheme == "data" and not top_level:
            return FilterDecision(True, DATA_SUBRESOURCE, url)
        if scheme == "blob" and not top_level:
            inner = cleaned[len("blob:") :]
            if inner.partition(":")[0].lower() in _WEB:
                try:
                    parsed = _parse_url(inner)
                except ValueError:
                    return FilterDecision(False, INVALID_URL, url)
                host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
                origin = f"{parsed.scheme}://{host}:{parsed.port}/"
                return self._decide_web(url, origin)
        return FilterDecision(False, SCHEME_REFUSED, url)

    def admitted_hosts(self) -> tuple[AdmittedHost, ...] | None:
        """Every host and port some URL of which the filter can admit, for what decides
        connections rather than URLs; None when that cannot be told (a regex allow rule)."""
        admitted = [AdmittedHost(self._start_origin[1], False, self._start_origin[2])]
        for rule in self._allow:
            if rule._simplified is None:
                return None
            admitted.append(rule._simplified.admits)
        return tuple(dict.fromkeys(admitted))

    def _decide_web(self, url: str, cleaned: str) -> FilterDecision:
        try:
            parsed = _parse_url(cleaned)
        except ValueError:
            return FilterDecision(False, INVALID_URL, url)
        for rule in self._block:
            if rule._matches(parsed):
                return FilterDecision(False, rule.expression, url)
        for rule in self._allow:
            if rule._matches(parsed):
                return FilterDecision(True, rule.expression, url)
        if (parsed.scheme, parsed.host, parsed.port) == self._start_origin:
            return FilterDecision(True, START_ORIGIN, url)
        return FilterDecision(False, NO_RULE_MATCHED, url)
