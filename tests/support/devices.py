"""What the page hears of a device problem a detector reports, as a catalogue key."""

from __future__ import annotations

from bridge.catalogue import lookup
from detectors.base import DeviceError, DeviceLost
from policies.devices import page_code


def page_key(problem: DeviceError | DeviceLost) -> str:
    """``"4007:not_found"``, ``"4009"``: the key of the event the page gets for ``problem``."""
    code = page_code(problem.device, problem.problem)
    return lookup(code.code, code.reason).key
