"""Is this a virtual machine or a container? Findings over the facts the computer gave
(detectors/machine.py), each with the evidence that made it, and what they mean for setup.

A finding needs a fact that only virtual hardware shows: a hypervisor's DMI vendor or product,
the CPU's hypervisor flag, a virtual device's PCI vendor, a network card's address in a
hypervisor's range, a container's marker. Things real computers also show are never enough
on their own: "Microsoft Corporation" makes Surface laptops as well as Hyper-V, a laptop that
*runs* virtual machines has virbr0 and vboxnet0 (not cards: the sensor skips them), and a
board vendor's "To be filled by O.E.M." says nothing at all.

A school allows a specific kind by its name (``allowed_virtual_machines = ["KVM"]``): every
finding of that name is then let through and still recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

VIRTUAL_MACHINE_CODE = 4101  # setup refused under block
VIRTUAL_MACHINE_EVIDENCE = 5103  # under warn, when monitoring starts

Level = Literal["block", "warn", "off"]

#: (DMI field, a word its value contains, case-insensitively) -> the hypervisor it names; the
#: first that matches names the machine.
_DMI: tuple[tuple[str, str, str], ...] = (
    ("sys_vendor", "qemu", "QEMU"),
    ("product_name", "kvm", "KVM"),
    ("sys_vendor", "openstack", "OpenStack"),
    ("bios_vendor", "seabios", "QEMU"),
    ("sys_vendor", "innotek", "VirtualBox"),
    ("product_name", "virtualbox", "VirtualBox"),
    ("board_name", "virtualbox", "VirtualBox"),
    ("sys_vendor", "vmware", "VMware"),
    ("product_name", "vmware", "VMware"),
    ("sys_vendor", "parallels", "Parallels"),
    ("product_name", "parallels", "Parallels"),
    ("sys_vendor", "xen", "Xen"),
    ("product_name", "hvm domu", "Xen"),
    ("bios_vendor", "bochs", "Bochs"),
    ("sys_vendor", "amazon ec2", "Amazon EC2"),
    ("sys_vendor", "google", "Google Compute Engine"),
    ("product_name", "google compute engine", "Google Compute Engine"),
)
#: Hyper-V's DMI is "Microsoft Corporation" (as a Surface's is) with this product name.
_HYPER_V_PRODUCT = "virtual machine"
#: PCI vendor ids of virtual hardware only.
_PCI = {"0x1af4": "virtio", "0x1b36": "QEMU", "0x1234": "QEMU", "0x1ab8": "Parallels",
        "0x15ad": "VMware", "0x80ee": "VirtualBox", "0x1414": "Hyper-V",
        "0x5853": "Xen", "0x1d0f": "Amazon EC2"}  # fmt: skip
#: Address ranges (OUI) hypervisors give their virtual network cards.
_MAC = {"52:54:00": "KVM", "08:00:27": "VirtualBox", "00:05:69": "VMware", "00:0c:29": "VMware",
        "00:1c:14": "VMware", "00:50:56": "VMware", "00:15:5d": "Hyper-V", "00:16:3e": "Xen",
        "00:1c:42": "Parallels", "fa:16:3e": "OpenStack"}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """A virtual machine or a container, named as its strongest evidence names it (DMI, then
    devices, then network cards); ``names`` holds every name the evidence gave, by any of which
    a school allows it, and ``evidence`` every fact that said so."""

    kind: str  # "virtual machine" or "container"
    name: str
    evidence: tuple[tuple[str, str], ...]
    names: tuple[str, ...] = ()

    def allowed_by(self, allowed: set[str]) -> bool:
        return any(name.lower() in allowed for name in (self.name, *self.names))

    def as_detail(self) -> dict[str, object]:
        return {"kind": self.kind, "name": self.name,
                "evidence": [f"{path}: {value}" for path, value in self.evidence]}  # fmt: skip


def find_virtualisation(facts: Mapping[str, str]) -> list[Finding]:
    """The virtual machine (one, with all its evidence) and the containers the facts show."""
    machine: list[tuple[str, str]] = []  # (the name it gives, the path that said so)
    for field, word, name in _DMI:
        path = f"/sys/class/dmi/id/{field}"
        if word in facts.get(path, "").lower():
            machine.append((name, path))
    product = "/sys/class/dmi/id/product_name"
    if "microsoft" in facts.get("/sys/class/dmi/id/sys_vendor", "").lower() and (
        facts.get(product, "").strip().lower() == _HYPER_V_PRODUCT
    ):
        machine += [("Hyper-V", "/sys/class/dmi/id/sys_vendor"), ("Hyper-V", product)]
    for path, value in facts.items():
        if path.startswith("/sys/bus/pci/devices/") and value.split(":")[0] in _PCI:
            machine.append((_PCI[value.split(":")[0]], path))
    for path, value in facts.items():
        if path.startswith("/sys/class/net/") and value.lower()[:8] in _MAC:
            machine.append((_MAC[value.lower()[:8]], path))
    for path in ("/sys/bus/vmbus", "/sys/hypervisor/type", "/proc/xen"):
        if path in facts:
            machine.append(("Hyper-V" if path == "/sys/bus/vmbus" else "Xen", path))
    release = facts.get("/proc/sys/kernel/osrelease", "").lower()
    if "microsoft" in release or "wsl" in release:
        machine.insert(0, ("WSL", "/proc/sys/kernel/osrelease"))  # WSL's hardware is Hyper-V's
    if "/proc/cpuinfo flags" in facts:  # "a hypervisor", not which: it joins a named one
        machine.append(("a hypervisor", "/proc/cpuinfo flags"))
    found = []
    if machine:
        names = tuple(dict.fromkeys(name for name, _ in machine))
        evidence = tuple(dict.fromkeys((path, facts[path]) for _, path in machine))
        found.append(Finding("virtual machine", names[0], evidence, names))
    containers: dict[str, list[str]] = {}
    for name, path in _containers(facts):
        containers.setdefault(name, []).append(path)
    found += [Finding("container", name, tuple((p, facts[p]) for p in paths), (name,))
              for name, paths in containers.items()]  # fmt: skip
    return found


def _containers(facts: Mapping[str, str]) -> list[tuple[str, str]]:
    said = []
    if "/.dockerenv" in facts:
        said.append(("docker", "/.dockerenv"))
    if "/run/.containerenv" in facts:
        said.append(("podman", "/run/.containerenv"))
    engine = facts.get("/run/systemd/container", "").strip()
    if engine:
        said.append(({"oci": "docker"}.get(engine, engine), "/run/systemd/container"))
    cgroup = facts.get("/proc/1/cgroup", "")
    for word, name in (("docker", "docker"), ("lxc", "lxc"), ("kubepods", "kubernetes"),
                       ("libpod", "podman")):  # fmt: skip
        if word in cgroup:
            said.append((name, "/proc/1/cgroup"))
    return said


@dataclass(frozen=True)
class MachineDecision:
    proceed: bool
    code: int | None  # 4101 when setup is refused
    why: str
    checks: dict[str, object]  # for 2001: the verdict and what was found, by name
    findings: list[dict[str, object]]  # every finding with its evidence, for the record
    at_start: list[dict[str, object]]  # 5103 details when monitoring starts


def decide_machine(
    findings: Iterable[Finding], level: Level, allowed: Iterable[str], test_machine: bool
) -> MachineDecision:
    """block: a finding refuses setup (4101) unless the school allowed its name; warn: setup
    goes on and monitoring's start is 5103; off: recorded in the checks only. A test machine
    (the suite's, itself virtual) is let through either and says so in the checks, as its
    other allowances are announced."""
    allow = {name.lower() for name in allowed}
    all_found = list(findings)
    counted = [f for f in all_found if not f.allowed_by(allow)]
    checks: dict[str, object] = {"found": [f"{f.kind} ({f.name})" for f in all_found]}
    details = [f.as_detail() for f in all_found]
    if len(counted) < len(all_found):
        checks["allowed"] = [f.name for f in all_found if f.allowed_by(allow)]
    names = ", ".join(f"{f.kind} ({f.name})" for f in counted)
    if not counted or level == "off":
        checks["verdict"] = "none found" if not all_found else "allowed"
        return MachineDecision(True, None, "", checks, details, [])
    if test_machine:
        checks["verdict"] = "allowed on a test machine"
        return MachineDecision(True, None, names, checks, details, [])
    if level == "block":
        checks["verdict"] = "refused"
        why = f"the exam cannot run here: {names}"
        return MachineDecision(False, VIRTUAL_MACHINE_CODE, why, checks, details, [])
    checks["verdict"] = "warned"
    return MachineDecision(True, None, names, checks, details, [f.as_detail() for f in counted])
