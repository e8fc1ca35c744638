"""The one QApplication of a run: created once the display and Qt are known to work."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.platform.qt import QApplication

#: The one QApplication, held here: PyQt deletes one nobody references (a dialog asked for
#: before the kiosk starts must not lose it).
_held: list[QApplication] = []


def make_qapplication() -> QApplication:
    """Checks the display and Qt, then creates the one QApplication (argv must not be empty)."""
    from kiosk.launch import preflight
    from kiosk.platform import guardian, logs
    from kiosk.platform.x11 import display_lost

    preflight.check_display(os.environ)
    preflight.import_qt()
    from kiosk.platform.qt import QApplication

    # "kiosk", not "__main__.py" under ``python -m``: the name a screen reader announces.
    app = QApplication.instance() or QApplication(["kiosk"])
    assert isinstance(app, QApplication)
    if not _held:
        logs.route_qt_messages(display_lost.noticed)
        guardian.start()  # before the web engine starts its first process
        _held.append(app)
    return app


def release_qapplication(qapp: QApplication) -> None:
    """Destroys the QApplication now, while its display still exists (the demo's Xvfb)."""
    from kiosk.platform.qt import QCoreApplication, QEvent, sip

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    _held.clear()
    sip.delete(qapp)
