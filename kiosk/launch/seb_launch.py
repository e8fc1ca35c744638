"""An exam launched from a Safe Exam Browser configuration: a .seb file, or what a seb(s)://
link serves.

The configuration's settings are applied over the kiosk's own (the exam's settings win over
the local ones; the managed policy of a school, when there is one, wins over both). What the
LMS will check (the Config Key of the very file it served, the Browser Exam Key) goes with
the run, with the account of every key the kiosk applied or does not support.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.origin import origin_of
from kiosk.launch.seb.config_key import browser_exam_key, config_key, request_hash
from kiosk.launch.seb.containers import MAX_BYTES, AskPassword, SebFileError, settings
from kiosk.launch.seb.fetch import fetch
from kiosk.launch.seb.translate import translate
from kiosk.launch.target import Target, check_target
from kiosk.platform.errors import UsageError
from kiosk.platform.files import read_regular_file


@dataclass(frozen=True)
class SebLaunch:
    source: str  # the file, or the URL the configuration came from
    url: str  # the exam's start URL
    config_key: str
    browser_exam_key: str
    send_keys: bool  # sendBrowserExamKey: requests to the exam's host carry the key hashes
    policy: dict[str, Any] = field(default_factory=dict)
    applied: dict[str, str] = field(default_factory=dict)
    unsupported: tuple[str, ...] = ()
    report: dict[str, Any] = field(default_factory=dict)  # [report] settings, from kioskReport
    computer: dict[str, Any] = field(default_factory=dict)  # [computer] settings

    def headers(self, url: str) -> dict[str, str]:
        """What a request to ``url`` carries: with sendBrowserExamKey, a request to the exam's
        own origin carries both key hashes of its URL; any other request neither."""
        if not self.send_keys or origin_of(url) != origin_of(self.url):
            return {}
        return {
            "X-SafeExamBrowser-ConfigKeyHash": request_hash(url, self.config_key),
            "X-SafeExamBrowser-RequestHash": request_hash(url, self.browser_exam_key),
        }

    def as_meta(self) -> dict[str, Any]:
        """What the session record keeps of it."""
        return {
            "source": self.source,
            "config_key": self.config_key,
            "browser_exam_key": self.browser_exam_key,
            "send_keys": self.send_keys,
            "applied": self.applied,
            "unsupported": list(self.unsupported),
        }


def from_data(source: str, data: bytes, ask: AskPassword | None, tries: int = 3) -> SebLaunch:
    found = settings(data, ask, tries)
    translation = translate(found)
    if not translation.starts_exam:
        raise UsageError(f"{source}: this configuration configures a client; it starts no exam")
    if translation.url is None:
        raise UsageError(f"{source}: the configuration has no start URL (startURL)")
    url = check_target(translation.url, f"{source}: its startURL")
    key = config_key(found)
    return SebLaunch(
        source=source,
        url=url,
        config_key=key,
        browser_exam_key=browser_exam_key(key, translation.exam_key_salt),
        send_keys=translation.send_keys,
        policy=translation.policy,
        applied=translation.applied,
        unsupported=tuple(sorted(translation.unsupported)),
        report=translation.report,
        computer=translation.computer,
    )


@dataclass(frozen=True)
class LmsPage:
    """What a seb(s):// link answered with instead of a configuration: a web page (Moodle's
    config.php sends a student who is not logged in to its login page) or a 401. The kiosk opens the
    link's own http(s) URL, so that the LMS's redirect back after the login reaches the kiosk's
    browser, and the LMS serves the configuration there (kiosk/launch/lms_configuration.py)."""

    url: str


def from_target(target: Target, ask: AskPassword | None, tries: int = 3) -> SebLaunch | LmsPage:
    """The launch a .seb file or a seb(s):// link stands for."""
    if target.kind == "file":
        assert target.path is not None
        data = read_regular_file(target.path, MAX_BYTES, str(target.path))
        return from_data(str(target.path), data, ask, tries)
    assert target.kind == "seb" and target.url is not None
    fetched = fetch(target.url)
    if not fetched.is_configuration:
        page = fetched.status == 200 and "html" in fetched.content_type
        if not page and fetched.status != 401:  # a 401: the kiosk's login dialog asks
            raise SebFileError(
                f"{target.url} answers with {fetched.status} {fetched.content_type}: neither "
                "a configuration nor a page to log in on"
            )
        return LmsPage(target.url)
    return from_data(fetched.url, fetched.body, ask, tries)


def seb_layer(launch: SebLaunch, autostart_set: bool) -> dict[str, Any]:
    """What the exam's configuration sets, as a configuration layer (kiosk/config/layers.py),
    over the kiosk's own file and under the school's managed policy. The exam session starts
    with the first page, as SEB's lockdown does: an LMS's quiz page does not call the
    AutoProctor API, and until a session runs, closing the window would end the exam. Only a
    configuration file that says ``autostart`` itself (``autostart_set``: an exam page that
    calls setup() and start()) decides otherwise."""
    layer: dict[str, Any] = {"policy": dict(launch.policy)}
    if launch.report:
        layer["report"] = dict(launch.report)
    if launch.computer:
        layer["computer"] = dict(launch.computer)
    if not autostart_set:
        layer["session"] = {"autostart": True}
    return layer
