"""Which page code a device problem is: the catalogue's 4002-4014, from what the detectors say.

Detectors report a device (``camera``, ``microphone``, ``screen``) and the kind of problem it
has (``absent``, ``not_found``, ``not_readable``, ``denied``, ``model_unusable``, ``no_screen``,
``own_windows_only``, ``failed``: detectors/base.py's ``Problem``); the page hears AutoProctor's
codes, where one code may have two cases told apart by ``reason`` (4007, 4008). A problem with
no code of its own is 4005, "hardware error ... or another error".
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class PageCode:
    code: int
    reason: str | None = None


#: (device, problem) -> the code the page receives.
PAGE_CODES: dict[tuple[str, str], PageCode] = {
    ("camera", "absent"): PageCode(4010),
    ("camera", "not_found"): PageCode(4008, "not_found"),
    ("camera", "not_readable"): PageCode(4008, "not_readable"),
    ("camera", "denied"): PageCode(4002),
    ("camera", "model_unusable"): PageCode(4005),
    ("microphone", "absent"): PageCode(4009),
    ("microphone", "not_found"): PageCode(4007, "not_found"),
    ("microphone", "not_readable"): PageCode(4007, "not_readable"),
    ("microphone", "denied"): PageCode(4003),
    ("screen", "denied"): PageCode(4011),
    ("screen", "failed"): PageCode(4012),
    ("screen", "no_screen"): PageCode(4013),
    ("screen", "own_windows_only"): PageCode(4014),
}
OTHER = PageCode(4005)
BOTH_DENIED = PageCode(4006)  # the camera and the microphone, at once


def page_code(device: str, problem: str) -> PageCode:
    return PAGE_CODES.get((device, problem), OTHER)


def setup_refusal(camera: str | None, microphone: str | None) -> PageCode | None:
    """The one code setup() fails with when the camera's and/or the microphone's check failed
    (their problems, or None for a device that passed): both denied is 4006, otherwise the
    camera's problem comes first."""
    if camera == "denied" and microphone == "denied":
        return BOTH_DENIED
    if camera is not None:
        return page_code("camera", camera)
    if microphone is not None:
        return page_code("microphone", microphone)
    return None


def secure_context(url: str) -> bool:
    """Whether a camera or a microphone may serve this exam: https, or plain http on this
    computer only (as browsers define a secure context); else setup() is refused with 4004."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" or host in LOCAL_HOSTS or host.startswith("127.")
