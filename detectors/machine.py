"""What the computer says of itself: the files that tell a virtual machine or a container from
real hardware, read once, as they are.

A fact is a path and what it said (``/sys/class/dmi/id/sys_vendor`` -> ``QEMU``); nothing is
judged here (policies/machine.py does), so every finding can cite the file behind it and a
school can explain a false positive from the record alone. The facts are read below ``root``,
so a recorded tree of another computer reads exactly as that computer did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DMI_FIELDS = ("sys_vendor", "product_name", "product_version", "board_vendor", "board_name",
              "bios_vendor", "bios_version", "chassis_vendor")  # fmt: skip
#: Files whose mere presence says something (a container's marker, Hyper-V's bus).
MARKERS = ("/.dockerenv", "/run/.containerenv", "/sys/bus/vmbus", "/proc/xen")
#: Short files whose content is the fact.
TEXTS = ("/run/systemd/container", "/sys/hypervisor/type", "/proc/sys/kernel/osrelease")
_CGROUP_WORDS = re.compile(r"docker|lxc|kubepods|containerd|libpod|machine\.slice")
MAX_TEXT = 4096


@dataclass(frozen=True)
class MachineFacts:
    """What the files said, path by path, in the order they were read."""

    facts: tuple[tuple[str, str], ...]

    def get(self, path: str) -> str | None:
        return next((value for where, value in self.facts if where == path), None)

    def under(self, prefix: str) -> list[tuple[str, str]]:
        return [(where, value) for where, value in self.facts if where.startswith(prefix)]

    def as_dict(self) -> dict[str, str]:
        return dict(self.facts)


def _read(root: Path, path: str) -> str | None:
    try:
        with open(root / path.lstrip("/"), "rb") as file:
            return file.read(MAX_TEXT).decode("utf-8", "replace").strip()
    except OSError:
        return None


def read_machine_facts(root: Path = Path("/")) -> MachineFacts:
    """The facts of the computer below ``root`` (a missing or unreadable file is no fact)."""
    facts: list[tuple[str, str]] = []

    def add(path: str, value: str | None) -> None:
        if value:
            facts.append((path, value))

    for name in DMI_FIELDS:
        add(f"/sys/class/dmi/id/{name}", _read(root, f"/sys/class/dmi/id/{name}"))
    cpuinfo = _read_all(root / "proc/cpuinfo")
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    if "hypervisor" in flags.split():
        add("/proc/cpuinfo flags", "hypervisor")
    pci = root / "sys/bus/pci/devices"
    for device in sorted(pci.iterdir()) if pci.is_dir() else ():
        vendor, product = _read(device, "vendor"), _read(device, "device")
        if vendor:
            add(f"/sys/bus/pci/devices/{device.name}", f"{vendor}:{product or '?'}")
    net = root / "sys/class/net"
    for interface in sorted(net.iterdir()) if net.is_dir() else ():
        # only a network card's address names hardware: bridges and virtual links (docker0,
        # virbr0, vboxnet0 on a computer that runs virtual machines) have no device
        if (interface / "device").exists():
            add(f"/sys/class/net/{interface.name}/address", _read(interface, "address"))
    for marker in MARKERS:
        if (root / marker.lstrip("/")).exists():
            add(marker, "present")
    for path in TEXTS:
        add(path, _read(root, path))
    cgroup = [line for line in _read_all(root / "proc/1/cgroup").splitlines()
              if _CGROUP_WORDS.search(line)]  # fmt: skip
    add("/proc/1/cgroup", "\n".join(cgroup[:4]))
    return MachineFacts(tuple(facts))


def _read_all(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def record_facts(facts: MachineFacts, into: Path) -> None:
    """Writes ``facts`` as a tree below ``into`` that ``read_machine_facts(into)`` reads back
    as the same facts: how a computer's facts are sent to whoever explains a finding."""
    for path, value in facts.facts:
        if path == "/proc/cpuinfo flags":
            target, text = into / "proc/cpuinfo", f"flags\t\t: {value}\n"
        elif path.startswith("/sys/bus/pci/devices/"):
            vendor, _, product = value.partition(":")
            folder = into / path.lstrip("/")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "vendor").write_text(vendor + "\n")
            target, text = folder / "device", product + "\n"
        elif path.startswith("/sys/class/net/"):
            folder = into / path.lstrip("/")
            folder = folder.parent
            (folder / "device").mkdir(parents=True, exist_ok=True)
            target, text = folder / "address", value + "\n"
        elif value == "present" and path in MARKERS:
            target, text = into / path.lstrip("/"), ""
        else:
            target, text = into / path.lstrip("/"), value + "\n"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
