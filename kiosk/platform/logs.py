"""Logging: one named logger per subsystem, Qt's own messages routed into ``logging``."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

QT_LOG = logging.getLogger("qt")


def setup() -> None:
    level = os.environ.get("KIOSK_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, level, logging.WARNING),
        format="kiosk %(levelname)s %(name)s: %(message)s",
    )


def route_qt_messages(*watchers: Callable[[str], None]) -> None:
    """Qt's messages go to the ``qt`` logger; each of ``watchers`` then sees every message too
    (kiosk/platform/x11/display_lost.py: Qt's last words before it exits)."""
    from kiosk.platform.qt import QMessageLogContext, QtMsgType, qInstallMessageHandler

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
        category = context.category or "default"
        QT_LOG.log(levels.get(kind, logging.WARNING), "[%s] %s", category, message)
        for watch in watchers:
            watch(message or "")

    qInstallMessageHandler(handler)
