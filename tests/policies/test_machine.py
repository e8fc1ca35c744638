"""Virtual machines and containers over the facts of real computers (machine_facts.json): every
bare-metal laptop is clean, every virtual one is named, and every finding cites its facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.machine import Finding, decide_machine, find_virtualisation

_FILE = Path(__file__).with_name("machine_facts.json")
ROWS: dict[str, Any] = {
    name: row for name, row in json.loads(_FILE.read_text()).items() if not name.startswith("_")
}


@pytest.mark.parametrize("machine", sorted(ROWS))
def test_each_computer_is_found_as_what_it_is_with_its_evidence(machine: str) -> None:
    facts, expect = ROWS[machine]["facts"], ROWS[machine]["expect"]
    found = find_virtualisation(facts)
    assert [[f.kind, f.name] for f in found] == expect
    for finding in found:
        assert finding.evidence, finding
        for path, value in finding.evidence:
            assert facts[path] == value  # cited as the computer said it


def test_no_bare_metal_computer_is_a_false_positive() -> None:
    bare = [name for name in ROWS if name.startswith("bare metal")]
    assert len(bare) >= 6
    found = {name: find_virtualisation(ROWS[name]["facts"]) for name in bare}
    assert found == {name: [] for name in bare}


def test_the_hypervisor_flag_alone_is_a_virtual_machine_of_no_name() -> None:
    (found,) = find_virtualisation({"/proc/cpuinfo flags": "hypervisor"})
    assert (found.kind, found.name) == ("virtual machine", "a hypervisor")


def test_all_evidence_of_one_virtual_machine_is_one_finding_named_by_its_strongest() -> None:
    (found,) = find_virtualisation(ROWS["VirtualBox 7"]["facts"])
    assert found.names[0] == "VirtualBox" and "VMware" in found.names  # its SVGA is VMware's id
    assert {path for path, _ in found.evidence} >= {
        "/sys/class/dmi/id/sys_vendor", "/sys/bus/pci/devices/0000:00:04.0",
        "/sys/class/net/enp0s3/address", "/proc/cpuinfo flags",
    }  # fmt: skip


KVM = find_virtualisation(ROWS["KVM: QEMU q35 with virtio (libvirt, GNOME Boxes)"]["facts"])
DOCKER = Finding("container", "docker", (("/.dockerenv", "present"),), ("docker",))


def test_block_refuses_setup_with_4101_naming_what_was_found() -> None:
    decision = decide_machine(KVM, "block", [], test_machine=False)
    assert (decision.proceed, decision.code) == (False, 4101)
    assert decision.why == "the exam cannot run here: virtual machine (QEMU)"
    assert decision.checks["verdict"] == "refused" and decision.at_start == []
    assert decision.checks["found"] == ["virtual machine (QEMU)"]
    assert decision.findings == [KVM[0].as_detail()]


def test_a_school_allows_a_kind_by_any_of_its_names_and_it_is_still_recorded() -> None:
    decision = decide_machine([*KVM, DOCKER], "block", ["virtio", "Docker"], test_machine=False)
    assert decision.proceed and decision.at_start == []
    assert decision.checks["allowed"] == ["QEMU", "docker"]
    assert decision.checks["found"] == ["virtual machine (QEMU)", "container (docker)"]
    assert len(decision.findings) == 2
    only_one = decide_machine([*KVM, DOCKER], "block", ["docker"], test_machine=False)
    assert not only_one.proceed and "QEMU" in only_one.why and "docker" not in only_one.why


def test_warn_goes_on_and_says_it_when_monitoring_starts() -> None:
    decision = decide_machine([*KVM, DOCKER], "warn", [], test_machine=False)
    assert decision.proceed and decision.checks["verdict"] == "warned"
    assert decision.at_start == [KVM[0].as_detail(), DOCKER.as_detail()]


def test_a_test_machine_is_let_through_and_says_so() -> None:
    for level in ("block", "warn"):
        decision = decide_machine(KVM, level, [], test_machine=True)
        assert decision.proceed and decision.checks["verdict"] == "allowed on a test machine"
        assert decision.at_start == []


def test_off_records_the_findings_and_nothing_else() -> None:
    decision = decide_machine(KVM, "off", [], test_machine=False)
    assert decision.proceed and decision.at_start == [] and decision.checks["verdict"] == "allowed"
    assert decide_machine([], "block", [], False).checks == {
        "found": [],
        "verdict": "none found",
    }
