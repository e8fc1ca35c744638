"""The computer's facts read from real files: a tree laid out as sysfs and procfs lay theirs
out, and this computer itself, recorded and read back as the same facts."""

from __future__ import annotations

from pathlib import Path

from detectors.machine import read_machine_facts, record_facts


def write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def test_facts_are_what_the_files_say_and_virtual_links_are_no_cards(tmp_path: Path) -> None:
    write(tmp_path, "/sys/class/dmi/id/sys_vendor", "innotek GmbH\n")
    write(tmp_path, "/sys/class/dmi/id/product_name", "VirtualBox\n")
    write(tmp_path, "/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme hypervisor lahf_lm\n")
    write(tmp_path, "/sys/bus/pci/devices/0000:00:04.0/vendor", "0x80ee\n")
    write(tmp_path, "/sys/bus/pci/devices/0000:00:04.0/device", "0xcafe\n")
    write(tmp_path, "/sys/class/net/enp0s3/address", "08:00:27:4f:9a:10\n")
    (tmp_path / "sys/class/net/enp0s3/device").mkdir()
    # a computer that runs VirtualBox has this link, with VirtualBox's range, and no card
    write(tmp_path, "/sys/class/net/vboxnet0/address", "0a:00:27:00:00:00\n")
    write(tmp_path, "/.dockerenv", "")
    write(tmp_path, "/proc/1/cgroup", "0::/system.slice/docker-4f1e.scope\n1:cpu:/\n")
    facts = read_machine_facts(tmp_path)
    assert facts.as_dict() == {
        "/sys/class/dmi/id/sys_vendor": "innotek GmbH",
        "/sys/class/dmi/id/product_name": "VirtualBox",
        "/proc/cpuinfo flags": "hypervisor",
        "/sys/bus/pci/devices/0000:00:04.0": "0x80ee:0xcafe",
        "/sys/class/net/enp0s3/address": "08:00:27:4f:9a:10",
        "/.dockerenv": "present",
        "/proc/1/cgroup": "0::/system.slice/docker-4f1e.scope",
    }
    assert facts.get("/sys/class/net/vboxnet0/address") is None


def test_an_empty_tree_is_no_facts(tmp_path: Path) -> None:
    assert read_machine_facts(tmp_path).facts == ()


def test_this_computer_recorded_reads_back_as_the_same_facts(tmp_path: Path) -> None:
    here = read_machine_facts()
    assert here.get("/proc/sys/kernel/osrelease")  # every Linux has it: the reading works
    record_facts(here, tmp_path)
    assert read_machine_facts(tmp_path) == here
