"""One bus for everything the detectors observe.

Detectors publish frozen observations; subscribers (the session, later the policies) connect to
``observed``. A signal emitted from a worker thread reaches receivers in the GUI thread as a
queued call, so detectors may run in threads without touching Qt objects they do not own.
"""

from __future__ import annotations

from detectors.base import Observation
from kiosk.platform.qt import QObject, pyqtSignal


class EventBus(QObject):
    observed = pyqtSignal(object)

    def publish(self, observation: Observation) -> None:
        self.observed.emit(observation)
