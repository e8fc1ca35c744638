"""One kiosk run: the window, the bridge, the session and its record, wired together.

Data flows one way: detectors -> event bus -> session (record first) -> bridge -> page; after the
page acknowledges an event it goes to the event log and the ``delivered`` signal.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from bridge.channel import PageBridge
from bridge.messages import FiredEvent, Rejected
from bridge.scripts import SebKeys
from detectors.base import Observation
from kiosk import __version__
from kiosk.enforcement import network_gate
from kiosk.enforcement.computer import ComputerWatch
from kiosk.enforcement.lockdown import Lockdown
from kiosk.enforcement.page_guards import GuardedPage, make_profile
from kiosk.enforcement.request_filter import DownloadGuard, RequestInterceptor
from kiosk.launch.appearance import engine_appearance
from kiosk.launch.instance_server import InstanceServer
from kiosk.launch.lms_configuration import ConfigurationWait
from kiosk.launch.options import RunOptions
from kiosk.platform.bus import EventBus
from kiosk.platform.errors import one_line
from kiosk.platform.failsafe import fail_safe, install_excepthook
from kiosk.platform.processes import this_process
from kiosk.platform.qt import (
    QApplication,
    QCoreApplication,
    QEvent,
    QEventLoop,
    QGuiApplication,
    QObject,
    QTimer,
    QUrl,
    QWebEngineLoadingInfo,
    QWidget,
    pyqtSignal,
    qWebEngineChromiumVersion,
    qWebEngineVersion,
)
from kiosk.platform.signals import SignalWakeup
from kiosk.platform.x11 import display_lost
from kiosk.platform.x11.session import X11Session
from kiosk.proctoring.proctor import Proctor
from kiosk.proctoring.sensors import DeviceSensors, WindowSensors
from kiosk.report.outlets import Outlets
from kiosk.session.evidence import EvidenceStore
from kiosk.session.lifecycle import EngineInfo, Session, State
from kiosk.session.record import RecordUnwritable, SessionRecord, new_session_folder
from kiosk.session.tracking import TrackingOptions
from kiosk.session.unfinished import close_unfinished
from kiosk.ui import consent, password_dialog
from kiosk.ui.camera_preview import CameraPreview
from kiosk.ui.window import KioskWindow
from policies.quit import QuitSource, check_password, decide_quit
from policies.urlfilter import UrlFilter

log = logging.getLogger("kiosk.app")

#: How long a quitting kiosk waits for the page to acknowledge its last events.
DELIVERY_GRACE_SECONDS = 3.0


class KioskApp(QObject):
    delivered = pyqtSignal(object)  # FiredEvent, after the page has it
    finished = pyqtSignal()  # the session is closed and its last events delivered (or given up)

    def __init__(self, qapp: QApplication, opts: RunOptions) -> None:
        super().__init__()
        self.qapp = qapp
        self.opts = opts
        # The log first: one that cannot be opened is refused before any session exists.
        self.outlets = Outlets(opts, self._note_decision)
        for ended in close_unfinished(opts.data_dir, time.time()):  # a killed kiosk's session
            log.warning("%s", ended.describe())
        self.folder = new_session_folder(opts.data_dir)
        self.record = SessionRecord(self.folder)
        self.outlets.start_reporting(self.folder)
        engine = EngineInfo(qWebEngineChromiumVersion() or "", qWebEngineVersion() or "")
        self.record.set_meta(
            kiosk_version=__version__,
            pid=os.getpid(),
            process=this_process().as_meta(),  # which kiosk writes it, should it die unseen
            launched_at=time.time(),
            chromium=engine.chromium,
            qtwebengine=engine.qtwebengine,
            **opts.meta(),
        )
        if opts.seb is not None:
            self.record.set_meta(seb=opts.seb.as_meta())
        policy = opts.config.policy
        self.urls = UrlFilter(policy.url_filter, opts.url)
        # The first profile starts the engine, with the gate for what the filter never sees.
        shown = engine_appearance(opts.config.accessibility)
        with network_gate.starting(self.urls, shown.engine_flags()) as gate:
            self.profile = make_profile(self)
        self.gate = gate
        gate.decided = self._note_decision
        self.record.set_meta(network_gate=gate.describe(), appearance=shown.checks)
        seb = opts.seb
        self.interceptor = RequestInterceptor(
            self.urls, self._note_decision, self, seb.headers if seb is not None else None
        )
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.downloads = DownloadGuard(policy.downloads, self._note_decision, self)
        self.profile.downloadRequested.connect(self.downloads.requested)

        def guarded_page(view: QWidget) -> GuardedPage:
            page = GuardedPage(
                self.profile, view, policy.new_window, self.urls, policy.uploads,
                policy.clipboard, policy.webrtc,
            )  # fmt: skip
            page.decided = self._note_decision
            return page

        self.window = KioskWindow(guarded_page, context_menu=policy.context_menu)
        self.outlets.pending.connect(self.window.pending_mark.show_pending)
        keys = None if seb is None else SebKeys(seb.config_key, seb.browser_exam_key)
        self.bridge = PageBridge(
            self.window.page, opts.url, self._handle_call, self._on_delivered, keys
        )
        self.bus = EventBus(self)
        self.bus.observed.connect(self._observed)
        # One X connection per kiosk, lent to whoever watches or keeps the window; only a
        # fullscreen kiosk on X11 needs one.
        on_x11 = opts.fullscreen and QGuiApplication.platformName() == "xcb"
        self.x11 = X11Session() if on_x11 else None
        self.sensors = WindowSensors(self.window, self.bus.publish, qapp.topLevelWidgets, self.x11)
        self.preview: CameraPreview | None = None
        devices = DeviceSensors(
            opts.camera, opts.microphone, opts.config.proctoring, self.bus.publish
        )  # publish is thread-safe: a queued signal into this thread
        self.evidence = EvidenceStore(
            self.folder / "evidence", opts.config.proctoring.photo_capacity
        )
        self.proctor = Proctor(
            devices,
            opts.config.proctoring,
            self.evidence,
            opts.url,
            lambda wanted: consent.ask(self.window, wanted),
            on_prepare=self._prepare_elements,
        )
        self.lockdown = Lockdown(
            qapp,
            self.window,
            policy,
            opts.fullscreen,
            self._note_decision,
            self.evidence,
            self.x11,
            (opts.compositor, opts.headless_allowed),
            ComputerWatch(opts.config.computer, self._note_decision, opts.test_machine),
        )
        self.lockdown.clipboard.insert = self.window.page.insert_text
        self.window.page.paste_allowed = lambda: self.lockdown.clipboard.paste_allowed(False)
        self.lockdown.on_quit_key = lambda chord: self.request_quit(
            f"the student pressed {chord}", "window"
        )
        self.session = Session(
            self.record,
            self.bridge.dispatch,
            engine=engine,
            minimum_chromium=opts.config.engine.minimum_chromium,
            weights=opts.config.trust_score.weights,
            devices=self.proctor,
            lockdown=self.lockdown,
            setup_notes=opts.setup_notes(),
            flat_penalties=opts.flat_penalties(),
        )
        # Showing an LMS's login page that serves the exam's configuration next: when it does,
        # this run ends and kiosk/cli.py starts the next one from that very file.
        self.next_target: str | None = None
        where = opts.instance
        self.instance = InstanceServer(where, self._handover, self) if where else None
        if opts.awaiting_configuration:
            wait = ConfigurationWait(
                self.window.page, self.folder, self._note_decision, self.window.show_notice,
                self._configuration_arrived, self,
            )  # fmt: skip
            self.window.page.seb_links = wait.link
            self.downloads.taken_by = wait.take
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start(250)
        self._quitting = False
        self._first_load = True
        self.window.close_requested.connect(lambda why: self.request_quit(why, "window"))
        self.window.page.windowCloseRequested.connect(
            lambda: self.request_quit("the page closed the window", "page")
        )
        self.window.page.urlChanged.connect(self._url_changed)
        self.window.page.loadingChanged.connect(self._loading_changed)
        self._signals = SignalWakeup(self._on_signal, self)

    # -- running -------------------------------------------------------------------------------

    def run(self) -> int:
        """Shows the exam and runs Qt's loop until the kiosk has quit cleanly."""
        install_excepthook()
        # A loop of its own, not the application's exec(): ending that one emits aboutToQuit,
        # on which QtWebEngine tears itself down for good, and a next run in this process
        # (after an LMS served the exam's configuration) would crash in the dead engine.
        loop = QEventLoop(self)
        self.finished.connect(lambda: loop.exit(0))
        display_lost.on_display_lost(self._display_lost)
        try:
            self.show()
            return loop.exec()
        finally:
            display_lost.on_display_lost(None)
            self.teardown()  # the filter on the application must go before the application

    def dispose(self) -> None:
        """After run(): every Qt object of this kiosk dies now, before a next run in the same
        process (after an LMS served the exam's configuration) makes its own."""
        self.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    def show(self) -> None:
        if self.opts.fullscreen:
            self.window.showFullScreen()
        else:
            self.window.resize(1280, 800)
            self.window.show()
        self.sensors.start()
        self.lockdown.attach(self.sensors.monitors)
        self.window.activateWindow()
        self.window.view.setFocus()
        self.window.view.load(QUrl(self.opts.url))

    def teardown(self) -> None:
        # Refusals after this run are no longer its record's, nor its filter's hosts carried.
        self.gate.decided, self.gate.urls = None, None
        self._ticker.stop()
        self.sensors.stop()
        self.lockdown.close()
        self.proctor.release()
        if self.x11 is not None:
            self.x11.close()
        self._signals.close()
        if self.instance is not None:
            self.instance.close()
        self.window.dispose()
        # Deleted now, not whenever the loop next runs: a profile (or this object) left to a
        # later deferred delete or to Python's cycle collector can die inside a Chromium
        # callback of the next session in the same process.
        self.profile.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        self.record.shut()
        self.outlets.finish()  # the reporter's last pass: what the session ended with

    # -- the page's calls ----------------------------------------------------------------------

    def _handle_call(self, method: str, args: Any) -> dict[str, Any]:
        if method == "setup":
            args = args if isinstance(args, dict) else {}
            ids = args.get("ids") if isinstance(args.get("ids"), dict) else {}
            return self.session.setup(args.get("options"), ids)
        if method == "start":
            return self.session.start()
        return self.session.stop("page")

    @fail_safe(None)
    def _loading_changed(self, info: QWebEngineLoadingInfo) -> None:
        # A load stopped (a refused link, a link to another application) left the page as it
        # was: only a failed load is one to warn about.
        status = info.status()
        if status == QWebEngineLoadingInfo.LoadStatus.LoadFailedStatus:
            url = info.url().toString()
            log.warning("the exam page did not load: %s (%s)", url, info.errorString())
            return
        if status != QWebEngineLoadingInfo.LoadStatus.LoadSucceededStatus:
            return
        if self._first_load and self.opts.autostart and self.session.state is State.IDLE:
            self._first_load = False
            settings = self.opts.config.session
            request = {
                "trackingOptions": settings.tracking.model_dump(),
                "testDuration": settings.test_duration,
            }
            try:
                self.session.setup(request, {"autostart": True})
                self.session.start()
            except Rejected as exc:
                log.error("autostart: setup failed with %s: %s", exc.code, exc.message)

    # -- policy decisions ----------------------------------------------------------------------

    def _note_decision(self, policy: str, decision: str, detail: dict[str, Any]) -> None:
        log.info("%s: %s %s", policy, decision, detail)
        try:
            self.record.note_decision(time.time(), policy, decision, detail)
        except RecordUnwritable as exc:  # enforcement goes on: a refocus must not stop here
            log.error("%s: %s was not recorded: %s", policy, decision, exc)
            return
        if self.record.reserve_spent is not None:
            self.session.tell_if_record_short()

    def _configuration_arrived(self, path: Path) -> None:
        self.next_target = str(path)
        self.request_quit("the LMS served the exam's configuration", "reconfigure")

    def _handover(self, target: str) -> tuple[bool, str]:
        """A second launch's exam: opened next, unless one is being monitored here."""
        detail = {"target": one_line(target)}
        decision = decide_quit("handover", self.session.state is State.MONITORING, False)
        if not decision.allowed or self._quitting:
            self._note_decision("instance", "switch refused", {**detail, "why": decision.reason})
            return False, decision.reason
        self.next_target = target
        self.request_quit(f"another launch opens {detail['target']}", "handover")
        return True, "the exam there ends and this one opens"

    # -- evidence ------------------------------------------------------------------------------

    @fail_safe(None)
    def _observed(self, observation: object) -> None:
        """Every observation goes to the lockdown (which acts on the window and the desktop)
        and then to the session (which records and fires what the policies decide)."""
        if not isinstance(observation, Observation):
            return
        log.debug("observed %s", observation)
        self.session.report(self.lockdown.observe(observation))
        self.session.observe(observation)

    @fail_safe(None)
    def _tick(self) -> None:
        self.session.tick()

    def _prepare_elements(self, options: TrackingOptions) -> None:
        if options.showCamPreview and self.preview is None:
            self.preview = CameraPreview(self.window, self._preview_frame)

    def _preview_frame(self) -> object:
        camera = self.proctor.camera
        return None if camera is None else camera.latest_frame()

    def _on_delivered(self, event: FiredEvent, t: float) -> None:
        self.record.mark_dispatched(event.seq, t)
        self.outlets.delivered(event, t)
        self.delivered.emit(event)

    # -- quitting ------------------------------------------------------------------------------

    def _display_lost(self, cause: str) -> None:
        """Qt ends the process right after this (kiosk/platform/x11/display_lost.py): the record
        is closed now with the cause; no page can be reached any more."""
        if threading.current_thread() is not threading.main_thread():
            self.record.reopen()  # the kiosk's connection belongs to the main thread
        self.session.abandon(f"the display connection was lost: {cause}")
        self.record.shut()
        self.outlets.close_log()

    @fail_safe(None)
    def _on_signal(self, signum: int) -> None:
        log.info("signal %d: stopping cleanly", signum)
        self.request_quit(f"signal {signum}")

    @fail_safe(None)
    def _url_changed(self, url: QUrl) -> None:
        quit_url = self.opts.config.policy.quit_url
        if quit_url and url.toString().startswith(quit_url):
            self.request_quit(f"the page reached the quit URL {url.toString()}", "quit_url")

    def _may_quit(self, why: str, source: QuitSource) -> bool:
        policy = self.opts.config.policy
        monitoring = self.session.state is State.MONITORING
        decision = decide_quit(source, monitoring, policy.quit_password_hash is not None)
        detail = {"source": source, "why": why, "reason": decision.reason}
        if decision.ask_password and policy.quit_password_hash is not None:
            given = password_dialog.ask_password(self.window)
            if given is not None and check_password(given, policy.quit_password_hash):
                self._note_decision("quit", "allowed: quit password given", detail)
                return True
            answer = "cancelled" if given is None else "wrong quit password"
            self._note_decision("quit", f"refused: {answer}", detail)
            return False
        self._note_decision("quit", "allowed" if decision.allowed else "refused", detail)
        return decision.allowed

    @fail_safe(None)
    def request_quit(self, why: str, source: QuitSource = "signal") -> None:
        """Stops a monitoring session (the page gets apMonitoringStopped), then quits, when the
        quit policy lets ``source`` end the kiosk now; refused attempts are recorded."""
        if self._quitting or not self._may_quit(why, source):
            return
        self._quitting = True
        self.window.close_page_dialogs()  # each runs a loop of its own, which would hold the quit
        try:
            self.session.end(why)
        except Exception:
            log.exception("stopping the session failed; quitting anyway")
        deadline = time.monotonic() + DELIVERY_GRACE_SECONDS
        timer = QTimer(self)

        def check() -> None:
            if self.bridge.pending == 0 or time.monotonic() > deadline:
                if self.bridge.pending:
                    log.warning("%d events were recorded but not delivered", self.bridge.pending)
                timer.stop()
                self.window.may_close = True
                # run() ends its own loop; never QApplication.quit(): Qt 6's quit() first asks
                # every window to close, and the exam window refuses, cancelling the quit.
                self.finished.emit()

        timer.timeout.connect(check)
        timer.start(20)
