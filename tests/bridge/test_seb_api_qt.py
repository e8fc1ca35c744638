"""An exam launched from a SEB configuration, in the real engine: SEB's JavaScript API in every
frame of the exam's origin, the key headers on the exam's own requests only, the user agent."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.config.settings import KioskConfig
from kiosk.launch.seb_launch import SebLaunch
from tests.support.server import ReportServer

CONFIG_KEY = "9e5b8d83ef8be09976c5826625e59334c47f7c70b063a675c0f143474dcf435a"
EXAM_KEY = "8512f106ccf1a515c7146157721728fd6f9d78c36f95fcaba27c03d781185a1b"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def launch(url: str, send_keys: bool = True) -> SebLaunch:
    return SebLaunch("test.seb", url, CONFIG_KEY, EXAM_KEY, send_keys)


#: The test page loads a frame and an image from another origin (localhost): let them in.
FOREIGN_ALLOWED = KioskConfig.model_validate(
    {"policy": {"url_filter": [{"expression": "localhost", "action": "allow"}]}}
)


def reports(server: ReportServer, run: str, kind: str) -> list[dict[str, Any]]:
    return [r for r in server.reports_of(run) if r.get("type") == kind]


def test_the_page_sees_seb_s_api_with_keys_hashed_with_each_frame_s_url(
    make_kiosk: Callable[..., KioskApp], server: ReportServer, run_id: str, qtbot: QtBot
) -> None:
    url = server.url(f"seb.html?run={run_id}")
    make_kiosk(url, FOREIGN_ALLOWED, seb=launch(url))
    qtbot.waitUntil(lambda: len(reports(server, run_id, "frame")) == 2, timeout=20_000)
    qtbot.waitUntil(lambda: bool(reports(server, run_id, "updated")), timeout=5_000)
    (top,) = reports(server, run_id, "top")
    seen = top["seen"]
    assert seen["configKey"] == sha(url + CONFIG_KEY)
    assert seen["browserExamKey"] == sha(url + EXAM_KEY)
    assert seen["version"] == "3.0" and seen["appVersion"].startswith("kiosk ")
    assert "SEB/3.0 kiosk/" in top["userAgent"]
    frames = {r["origin"]: r["seen"] for r in reports(server, run_id, "frame")}
    same = url.replace("seb.html", "seb-child.html")
    assert frames[server.url("")[:-1]] == {"configKey": sha(same + CONFIG_KEY), "href": same}
    assert frames[server.url("", host="localhost")[:-1]] is None  # another origin: nothing


def test_the_exam_s_own_requests_carry_the_key_hashes_and_no_other_request_does(
    make_kiosk: Callable[..., KioskApp], server: ReportServer, run_id: str, qtbot: QtBot
) -> None:
    url = server.url(f"seb.html?run={run_id}")
    make_kiosk(url, FOREIGN_ALLOWED, seb=launch(url))
    qtbot.waitUntil(lambda: len(reports(server, run_id, "frame")) == 2, timeout=20_000)

    def sent(host: str, path: str) -> dict[str, str]:
        found = [h for where, h in server.headers if where == f"{host}{path}"]
        assert found, f"no request for {host}{path}"
        return found[-1]

    exam = f"127.0.0.1:{server.port}"
    page = sent(exam, f"/seb.html?run={run_id}")
    assert page["X-SafeExamBrowser-ConfigKeyHash"] == sha(url + CONFIG_KEY)
    assert page["X-SafeExamBrowser-RequestHash"] == sha(url + EXAM_KEY)
    image = sent(exam, f"/pixel.png?run={run_id}")
    assert image["X-SafeExamBrowser-ConfigKeyHash"] == sha(
        server.url(f"pixel.png?run={run_id}") + CONFIG_KEY
    )
    foreign = sent(f"localhost:{server.port}", f"/seb-child.html?run={run_id}")
    assert "X-SafeExamBrowser-ConfigKeyHash" not in foreign
    assert "X-SafeExamBrowser-RequestHash" not in foreign


def test_without_send_browser_exam_key_no_request_carries_a_key(
    make_kiosk: Callable[..., KioskApp], server: ReportServer, run_id: str, qtbot: QtBot
) -> None:
    url = server.url(f"seb.html?run={run_id}")
    make_kiosk(url, FOREIGN_ALLOWED, seb=launch(url, send_keys=False))
    qtbot.waitUntil(lambda: len(reports(server, run_id, "frame")) == 2, timeout=20_000)
    mine = [h for where, h in server.headers if run_id in where]
    assert mine and not any("X-SafeExamBrowser-ConfigKeyHash" in h for h in mine)
    (top,) = reports(server, run_id, "top")
    assert top["seen"]["configKey"] == sha(url + CONFIG_KEY)  # the page API is still there


def test_the_keys_the_kiosk_does_not_support_are_in_the_2001_detail_and_the_record(
    make_kiosk: Callable[..., KioskApp], server: ReportServer, run_id: str, qtbot: QtBot
) -> None:
    url = server.exam_url(run_id, "setup")
    seb = SebLaunch("exam.seb", url, CONFIG_KEY, EXAM_KEY, True, unsupported=("allowSiri",))
    app = make_kiosk(url, seb=seb)
    qtbot.waitUntil(lambda: bool(reports(server, run_id, "steps-done")), timeout=20_000)
    done = server.reports_of(run_id)
    checked = next(r for r in done if r.get("detail", {}).get("successCode") == 2001)
    assert checked["detail"]["sebUnsupported"] == ["allowSiri"]
    meta = app.record.meta()["seb"]
    assert (meta["config_key"], meta["unsupported"]) == (CONFIG_KEY, ["allowSiri"])
