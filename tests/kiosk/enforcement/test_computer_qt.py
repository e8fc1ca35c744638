"""The computer check in a real in-process kiosk, on recorded fact trees of other computers (a
KVM guest, a Dell laptop) read exactly as this computer's own files are: what the page hears
at setup and when monitoring starts, and what the record keeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from detectors.machine import MachineFacts, record_facts
from kiosk.config.computer_settings import ComputerSettings
from kiosk.config.settings import KioskConfig
from kiosk.enforcement.computer import ComputerWatch
from tests.support.server import ReportServer, event_names, events

ROWS = json.loads((Path(__file__).parents[2] / "policies" / "machine_facts.json").read_text())
KVM = "KVM: QEMU q35 with virtio (libvirt, GNOME Boxes)"
DELL = "bare metal: Dell XPS 13 9310"


def on_computer(app: Any, tmp_path: Path, machine: str, settings: ComputerSettings) -> None:
    """The kiosk's computer check, reading the recorded tree of ``machine`` (no programs)."""
    tree = tmp_path / "machine"
    record_facts(MachineFacts(tuple(ROWS[machine]["facts"].items())), tree)
    app.lockdown.computer = ComputerWatch(
        settings, app._note_decision, test_machine=False, env={}, root=tree, processes=list
    )


def detail_of(reports: list[dict[str, Any]], key: str, code: int) -> dict[str, Any]:
    return next(e["detail"] for e in events(reports) if e["detail"].get(key) == code)


def test_block_on_a_virtual_machine_fails_setup_with_4101_and_the_record_keeps_why(
    make_kiosk: Any, server: ReportServer, run_id: str, qtbot: QtBot, tmp_path: Path
) -> None:
    settings = ComputerSettings(virtual_machine="block")
    app = make_kiosk(server.exam_url(run_id, "setup"), KioskConfig(computer=settings))
    on_computer(app, tmp_path, KVM, settings)
    qtbot.waitUntil(lambda: "apErrorEvent:4101" in event_names(server.reports_of(run_id)),
                    timeout=20_000)  # fmt: skip
    error = detail_of(server.reports_of(run_id), "errorCode", 4101)
    assert error["message"] == "The exam cannot run in a virtual machine"
    assert error["cause"] == "the exam cannot run here: virtual machine (QEMU)"
    (refusal,) = [(d, x) for _, p, d, x in app.record.decisions() if p == "computer"]
    assert refusal[0] == "setup refused: virtual machine"
    (finding,) = refusal[1]["findings"]
    assert "/sys/class/dmi/id/sys_vendor: QEMU" in finding["evidence"]
    assert "/sys/class/net/enp1s0/address: 52:54:00:5a:1b:2c" in finding["evidence"]


@pytest.mark.parametrize(("machine", "found"), [(KVM, True), (DELL, False)], ids=["kvm", "dell"])
def test_warn_goes_on_and_monitoring_starts_with_5103_on_a_virtual_machine_only(
    make_kiosk: Any, server: ReportServer, run_id: str, qtbot: QtBot, tmp_path: Path,
    machine: str, found: bool,
) -> None:  # fmt: skip
    settings = ComputerSettings(virtual_machine="warn")
    app = make_kiosk(server.exam_url(run_id, "setup,start,stop"), KioskConfig(computer=settings))
    on_computer(app, tmp_path, machine, settings)
    qtbot.waitUntil(lambda: "apMonitoringStopped" in event_names(server.reports_of(run_id)),
                    timeout=20_000)  # fmt: skip
    reports = server.reports_of(run_id)
    checks = detail_of(reports, "successCode", 2001)["checks"]
    assert checks["virtualMachine"]["verdict"] == ("warned" if found else "none found")
    assert checks["prohibitedProcesses"] == [] and checks["remoteSession"] == {
        "display": [], "programs": []
    }  # fmt: skip
    named = event_names(reports)
    assert ("apEvidenceEvent:5103" in named) is found
    if found:
        told = detail_of(reports, "evidenceCode", 5103)
        assert (told["kind"], told["name"]) == ("virtual machine", "QEMU")
        assert told["message"] == "The exam runs in a virtual machine"
        assert named.index("apMonitoringStarted") < named.index("apEvidenceEvent:5103")
