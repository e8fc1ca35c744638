"""Logging: one named logger per subsystem, Qt's own messages routed into ``logging``.

A run starts quietly (``quiet``): the student's terminal gets the kiosk's own lines, and the
noise of the engine (Chromium's GPU, Vulkan and D-Bus complaints, which its native code writes
straight to file descriptor 2, in every one of its processes) and Qt's own warnings go to the
log file in the data folder, unless ``--verbose``.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

QT_LOG = logging.getLogger("qt")
LOG_FILE = "kiosk.log"
#: A log past this is moved aside (one old one kept) when the next run starts.
MAX_LOG_BYTES = 4 * 2**20
_FORMAT = "kiosk %(levelname)s %(name)s: %(message)s"


def setup() -> None:
    level = os.environ.get("KIOSK_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, level, logging.WARNING),
        format=_FORMAT,
    )


def quiet(folder: Path) -> Path:
    """From now on file descriptor 2 (what native code and child processes write to) is the
    log file; Python's own stderr, and so the kiosk's lines and tracebacks, stay on the
    terminal. Qt's messages go to the file, and only its critical ones to the terminal too."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
        path.replace(path.with_name(LOG_FILE + ".1"))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.stderr.flush()
    terminal = os.dup(2)
    os.dup2(fd, 2)  # inherited by the engine's processes: their noise lands in the file
    os.close(fd)
    stream = io.TextIOWrapper(
        os.fdopen(terminal, "wb", buffering=0), line_buffering=True, errors="backslashreplace"
    )
    sys.stderr = stream
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            handler.setStream(stream)
    into_file = logging.FileHandler(path, encoding="utf-8")
    into_file.setFormatter(logging.Formatter("%(asctime)s " + _FORMAT))
    on_terminal = logging.StreamHandler(stream)
    on_terminal.setLevel(logging.CRITICAL)
    on_terminal.setFormatter(logging.Formatter(_FORMAT))
    QT_LOG.handlers = [into_file, on_terminal]
    QT_LOG.propagate = False
    return path


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
