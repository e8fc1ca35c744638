"""The computer around the exam: a virtual machine, a remote session, prohibited programs.

The lockdown asks it at setup (``check``: refuse, or go on with what it found in 2001's
checks), when monitoring starts (``start``: what warn lets through, and what started since
setup, as evidence) and with every ``ProcessesStarted`` the process watcher publishes
(``observe``: evidence and, where the policy says so, the program ended). The decisions are
policies/machine.py's and policies/processes.py's; this module gathers the facts and acts.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from detectors.base import Observation
from detectors.display_clients import DisplayClient, DisplayClientsConnected, read_display_clients
from detectors.machine import read_machine_facts
from detectors.processes import ProcessesStarted, RunningProcess, ancestors, list_processes
from kiosk.config.computer_settings import ComputerSettings
from kiosk.platform.processes import identify
from kiosk.session.ports import Evidence, SetupFailure
from kiosk.session.record import Decided
from policies import processes as rules_of
from policies.display_clients import UNKNOWN_AT_SETUP, UNKNOWN_EVIDENCE, ClientsVerdict, helper_of
from policies.display_clients import decide_setup as decide_clients
from policies.machine import (
    VIRTUAL_MACHINE_EVIDENCE,
    MachineDecision,
    decide_machine,
    find_virtualisation,
)

#: How long a program asked to end (SIGTERM) has before it is made to (SIGKILL).
GRACE_MS = 2000


def _x_clients() -> list[DisplayClient] | None:
    if not os.environ.get("DISPLAY"):
        return None
    from kiosk.platform.x11.connection import X11Connection
    from kiosk.platform.x11.xcb import X11Error

    try:
        with X11Connection() as connection:
            return read_display_clients(connection)
    except X11Error:
        return None


class ComputerWatch:
    def __init__(
        self,
        settings: ComputerSettings,
        decided: Decided,
        test_machine: bool,
        *,
        env: Mapping[str, str] | None = None,
        root: Path = Path("/"),
        processes: Callable[[], list[RunningProcess]] = list_processes,
        clients: Callable[[], list[DisplayClient] | None] | None = None,
    ) -> None:
        """``clients``: the display's clients now (default: asked of ``$DISPLAY``'s X server;
        None from it: no X display, or no X-Resource)."""
        self._settings = settings
        self._clients = clients if clients is not None else _x_clients
        self._decided = decided
        self._test_machine = test_machine
        self._env = os.environ if env is None else env
        self._root = root
        self._processes = processes
        self._rules = rules_of.Rules.of(
            settings.prohibited,
            settings.permitted,
            settings.assistive_tools,
            settings.default_prohibited,
        )
        self._at_start: list[Evidence] = []
        self._reported: set[tuple[int, int]] = set()  # (pid, start) already evidence
        self.monitoring = False

    # -- setup ------------------------------------------------------------------------------

    def machine(self) -> MachineDecision:
        """What the computer's facts say of a virtual machine (setup, and ``kiosk doctor``)."""
        s = self._settings
        findings = find_virtualisation(read_machine_facts(self._root).as_dict())
        return decide_machine(
            findings, s.virtual_machine, s.allowed_virtual_machines, self._test_machine
        )

    def programs(self) -> tuple[list[rules_of.Found], list[str], rules_of.SetupVerdict]:
        """What runs now, the evidence of a remote display, and what they mean at setup (setup,
        and ``kiosk doctor``)."""
        s = self._settings
        found = rules_of.find(self._processes(), self._rules)
        display = rules_of.remote_display(self._env)
        verdict = rules_of.decide_setup(found, display, s.prohibited_processes, s.remote_session)
        return found, display, verdict

    def check(self) -> dict[str, Any]:
        """The computer's part of 2001's checks; raises SetupFailure (4101, 4102, 4103)."""
        machine = self.machine()
        findings = machine.findings
        checks: dict[str, Any] = {"virtualMachine": machine.checks}
        if not machine.proceed:
            self._decided("computer", "setup refused: virtual machine",
                          {**machine.checks, "findings": machine.findings})  # fmt: skip
            raise SetupFailure(machine.code or 4101, machine.why)
        found, display, verdict = self.programs()
        checks.update(verdict.checks)
        if not verdict.proceed:
            self._decided("computer", "setup refused", {"why": verdict.why, **verdict.checks})
            raise SetupFailure(verdict.code or 4103, verdict.why)
        clients = self.display_clients()
        checks.update(clients.checks)
        if not clients.proceed:
            self._decided("computer", "setup refused", {"why": clients.why, **clients.checks})
            raise SetupFailure(UNKNOWN_AT_SETUP, clients.why)
        self._at_start = [Evidence(VIRTUAL_MACHINE_EVIDENCE, d) for d in machine.at_start]
        self._at_start += [Evidence(code, detail) for code, detail in verdict.at_start]
        self._reported = {(f.process.pid, f.process.start) for f in found}
        if findings or found or display:
            self._decided("computer", "setup continues", {**checks, "findings": machine.findings})
        return checks

    # -- the exam ---------------------------------------------------------------------------

    def start(self) -> list[Evidence]:
        """What warn let through at setup, and what started between setup and now."""
        self.monitoring = True
        evidence, self._at_start = self._at_start, []
        return evidence + self._found_now(self._processes(), "before monitoring started")

    def stop(self) -> None:
        self.monitoring = False

    def display_clients(self) -> ClientsVerdict:
        """The programs on the exam's display, helpers told apart (setup, ``kiosk doctor``)."""
        level = self._settings.unknown_display_clients
        now = self._clients() if level != "off" else []
        if now is None:
            return ClientsVerdict(True, "", {"displayClients": "no X-Resource on this display"})
        helpers, unknown = self._sorted(now)
        return decide_clients(helpers, unknown, level)

    def _sorted(self, clients: list[DisplayClient]) -> tuple[list[Any], list[DisplayClient]]:
        parents = {p.pid: p.parent for p in self._processes()}
        me = os.getpid()
        pids = {c.pid for c in clients if c.pid is not None}
        kiosk = {pid for pid in pids if pid == me or me in ancestors(pid, parents)}
        s = self._settings
        helpers, unknown = [], []
        for client in clients:
            what = helper_of(client, kiosk, s.assistive_tools, s.permitted_display_clients)
            if what is None:
                unknown.append(client)
            else:
                helpers.append((client, what))
        return helpers, unknown

    def observe(self, obs: Observation) -> list[Evidence]:
        if isinstance(obs, ProcessesStarted) and self.monitoring:
            return self._found_now(list(obs.processes), "during the exam")
        if isinstance(obs, DisplayClientsConnected) and self.monitoring:
            if self._settings.unknown_display_clients == "off":
                return []
            _, unknown = self._sorted(list(obs.clients))
            return [Evidence(UNKNOWN_EVIDENCE, c.as_detail()) for c in unknown]
        return []

    def _found_now(self, processes: list[RunningProcess], when: str) -> list[Evidence]:
        s = self._settings
        evidence = []
        everyone: list[RunningProcess] | None = None
        for found in rules_of.find(processes, self._rules):
            key = (found.process.pid, found.process.start)
            code = rules_of.during_exam(found, s.prohibited_processes, s.remote_session)
            if code is None or key in self._reported:
                continue
            self._reported.add(key)
            detail: dict[str, Any] = {**found.as_detail(), "running": when}
            if s.end_prohibited_processes:
                everyone = everyone if everyone is not None else self._processes()
                detail["ended"] = self._end(found, everyone)
            evidence.append(Evidence(code, detail))
        return evidence

    def _end(self, found: rules_of.Found, everyone: list[RunningProcess]) -> str:
        me = os.getpid()
        mine = {me, *ancestors(me, {p.pid: p.parent for p in everyone})}
        if not rules_of.may_end(found, os.getuid(), mine):
            return "not ended: not the student's own program"
        identity = identify(found.process.pid)
        try:
            os.kill(found.process.pid, signal.SIGTERM)
        except OSError as exc:
            return f"not ended: {exc.strerror}"
        self._decided("computer", "ended a prohibited program", found.as_detail())

        def make_sure() -> None:
            if identity is not None and identity.running():
                with contextlib.suppress(OSError):
                    os.kill(identity.pid, signal.SIGKILL)

        from kiosk.platform.qt import QTimer  # here: kiosk doctor asks the checks without Qt

        QTimer.singleShot(GRACE_MS, make_sure)
        return "ended"
