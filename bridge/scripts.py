"""The JavaScript the kiosk injects, as named QWebEngineScripts (found and replaced by name)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from kiosk.platform.qt import QFile, QIODevice, QWebEngineScript
from kiosk.platform.version import SEB_COMPATIBLE, VERSION

OBJECT_NAME = "kioskBridge"
REQUEST_EVENT = "__kioskRequest"
RESPONSE_EVENT = "__kioskResponse"
API_SCRIPT = "kiosk-autoproctor-api"
BRIDGE_SCRIPT = "kiosk-bridge"
SEB_SCRIPT = "kiosk-seb-api"
CLIPBOARD_SCRIPT = "kiosk-clipboard"
NO_WEBRTC_SCRIPT = "kiosk-no-webrtc"
#: The application-world function that pastes the exam's own copy (clipboard_app.js).
PASTE_FUNCTION = "__kioskPaste"
#: Keeps the copy until the kiosk's marker key (F24) comes, in order with the keys.
PASTE_ARM_FUNCTION = "__kioskPasteArm"


@dataclass(frozen=True)
class SebKeys:
    """The keys an exam launched from a SEB configuration proves to its pages."""

    config_key: str
    browser_exam_key: str


def _qwebchannel_js() -> str:
    f = QFile(":/qtwebchannel/qwebchannel.js")
    if not f.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError("qwebchannel.js is missing from the Qt resources")
    try:
        return bytes(f.readAll().data()).decode("utf-8")
    finally:
        f.close()


def _source(name: str, origin: str) -> str:
    config = json.dumps(
        {
            "origin": origin,
            "objectName": OBJECT_NAME,
            "requestEvent": REQUEST_EVENT,
            "responseEvent": RESPONSE_EVENT,
        }
    )
    text = resources.files("bridge").joinpath("js", name).read_text("utf-8")
    return text.replace("__KIOSK_CONFIG__", config)


def _script(name: str, world: QWebEngineScript.ScriptWorldId, source: str) -> QWebEngineScript:
    script = QWebEngineScript()
    script.setName(name)
    script.setWorldId(world)
    script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    script.setRunsOnSubFrames(False)
    script.setSourceCode(source)
    return script


def build(origin: str, seb: SebKeys | None = None) -> list[QWebEngineScript]:
    """The page-facing API (main world) and the privileged bridge (application world); with
    ``seb``, SEB's JavaScript API in every frame of the exam's origin too."""
    world = QWebEngineScript.ScriptWorldId
    scripts = [
        _script(API_SCRIPT, world.MainWorld, _source("autoproctor.js", origin)),
        _script(
            BRIDGE_SCRIPT,
            world.ApplicationWorld,
            _qwebchannel_js() + "\n" + _source("bridge_app.js", origin),
        ),
    ]
    if seb is not None:
        config = json.dumps(
            {
                "origin": origin,
                "configKey": seb.config_key,
                "browserExamKey": seb.browser_exam_key,
                "version": SEB_COMPATIBLE,
                "appVersion": f"kiosk {VERSION}",
            }
        )
        source = resources.files("bridge").joinpath("js", "seb_api.js").read_text("utf-8")
        script = _script(SEB_SCRIPT, world.MainWorld, source.replace("__KIOSK_SEB__", config))
        script.setRunsOnSubFrames(True)
        scripts.append(script)
    return scripts


def clipboard_script() -> QWebEngineScript:
    """The exam's text kept inside the exam (clipboard isolated or block), in every frame:
    drags of its text cancelled, its own copy pasted where the caret is (clipboard_app.js)."""
    source = resources.files("bridge").joinpath("js", "clipboard_app.js").read_text("utf-8")
    script = _script(CLIPBOARD_SCRIPT, QWebEngineScript.ScriptWorldId.ApplicationWorld, source)
    script.setRunsOnSubFrames(True)
    return script


def no_webrtc_script() -> QWebEngineScript:
    """WebRTC off (policy.webrtc false): the page's RTC* interfaces removed in every frame."""
    source = resources.files("bridge").joinpath("js", "no_webrtc.js").read_text("utf-8")
    script = _script(NO_WEBRTC_SCRIPT, QWebEngineScript.ScriptWorldId.MainWorld, source)
    script.setRunsOnSubFrames(True)
    return script
