"""One bus for everything the detectors observe.

Detectors publish frozen observations; the application connects to ``observed`` and hands each
one to the policies and the session. A signal emitted from a worker thread reaches receivers in
the GUI thread as a queued call, so detectors may run in threads without touching Qt objects
they do not own. The bus carries any object: what an observation is, detectors/ says.
"""

from __future__ import annotations

from kiosk.platform.qt import QObject, pyqtSignal


class EventBus(QObject):
    observed = pyqtSignal(object)

    def publish(self, observation: object) -> None:
        self.observed.emit(observation)
