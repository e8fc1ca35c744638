"""The JavaScript the kiosk injects, as named QWebEngineScripts (found and replaced by name)."""

from __future__ import annotations

import json
from importlib import resources

from kiosk.platform.qt import QFile, QIODevice, QWebEngineScript

OBJECT_NAME = "kioskBridge"
REQUEST_EVENT = "__kioskRequest"
RESPONSE_EVENT = "__kioskResponse"
API_SCRIPT = "kiosk-autoproctor-api"
BRIDGE_SCRIPT = "kiosk-bridge"


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


def build(origin: str) -> list[QWebEngineScript]:
    """The page-facing API (main world) and the privileged bridge (application world)."""
    world = QWebEngineScript.ScriptWorldId
    return [
        _script(API_SCRIPT, world.MainWorld, _source("autoproctor.js", origin)),
        _script(
            BRIDGE_SCRIPT,
            world.ApplicationWorld,
            _qwebchannel_js() + "\n" + _source("bridge_app.js", origin),
        ),
    ]
