"""The one place the application imports Qt from.

Keeping every PyQt6 import here means a missing system library fails in one known spot (the
command line turns that into exit code 3), and a test rejects stray ``PyQt6`` imports elsewhere.
QtWebEngineWidgets is imported before any QApplication exists, as QtWebEngine requires.
"""

from PyQt6 import sip
from PyQt6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QFile,
    QIODevice,
    QMessageLogContext,
    QObject,
    QSocketNotifier,
    Qt,
    QTimer,
    QtMsgType,
    QUrl,
    pyqtSignal,
    pyqtSlot,
    qInstallMessageHandler,
)
from PyQt6.QtGui import QGuiApplication, QImage, QPixmap, QWindow
from PyQt6.QtWebChannel import QWebChannel
from PyQt6.QtWebEngineCore import (
    QWebEngineDownloadRequest,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineScript,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    qWebEngineChromiumVersion,
    qWebEngineVersion,
)
from PyQt6.QtWebEngineWidgets import QWebEngineView
from PyQt6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

__all__ = [
    "QApplication",
    "QByteArray",
    "QCoreApplication",
    "QEvent",
    "QFile",
    "QGuiApplication",
    "QIODevice",
    "QImage",
    "QInputDialog",
    "QLabel",
    "QLineEdit",
    "QMessageBox",
    "QMessageLogContext",
    "QObject",
    "QPixmap",
    "QSocketNotifier",
    "QTimer",
    "QUrl",
    "QWebChannel",
    "QWebEngineDownloadRequest",
    "QWebEnginePage",
    "QWebEngineProfile",
    "QWebEngineScript",
    "QWebEngineUrlRequestInfo",
    "QWebEngineUrlRequestInterceptor",
    "QWebEngineView",
    "QWidget",
    "QWindow",
    "Qt",
    "QtMsgType",
    "pyqtSignal",
    "pyqtSlot",
    "qInstallMessageHandler",
    "qWebEngineChromiumVersion",
    "qWebEngineVersion",
    "sip",
]
