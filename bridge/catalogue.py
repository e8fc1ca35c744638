"""Every event the page can receive: one source of truth for codes, messages and meaning.

The seed (AutoProctor's published event table) is the contract an exam page is written
against; ``seed_text`` keeps its wording verbatim so a test can prove nothing drifted, while
``message`` is what the kiosk puts in ``detail.message`` and ``fires_when`` what it means here,
natively. The kiosk's own events (its extensions) are in bridge/kiosk_events.py; CATALOGUE
holds both. docs/events.md is generated from it (``python -m bridge.docs``).
"""

from __future__ import annotations

from bridge.event_spec import CUSTOM_EVENT, EventSpec, Kind, custom, regular
from bridge.kiosk_events import KIOSK_EVENTS

__all__ = ["CATALOGUE", "CUSTOM_EVENT", "EventSpec", "Kind", "by_code", "lookup", "violation_codes"]

_S, _E, _V = Kind.SUCCESS, Kind.ERROR, Kind.EVIDENCE

#: AutoProctor's events, in the seed's order.
SEED_EVENTS: tuple[EventSpec, ...] = (
    regular(
        "apSetupComplete",
        "setup() finished every check; start() may now be called. Also fired as "
        "apSetupCompleted, the other name AutoProctor's documentation uses.",
        ".setup() completes successfully. You can now call the .start() method",
        aliases=("apSetupCompleted",),
    ),
    regular(
        "apMonitoringStarted",
        "start() succeeded: the test start time is recorded and evidence is tracked.",
        ".start() executes successfully, and events are being tracked. We set the test start "
        "time now. If you want to hide a test's questions until the proctoring is ready, you "
        "can load the questions after this event",
    ),
    regular(
        "apMonitoringStopped",
        "stop() closed the session: every event is in the session record and the trust score "
        "is computed; detail carries trustScore and violations.",
        ".stop() executes successfully. The last set of violations are sent to the server, the "
        "test finish time is set and Trust Score calculated. If you want to redirect the user to "
        "a different page after the test, etc you should do it after this event",
    ),
    custom(
        _S,
        2001,
        "Browser and permission check completed and permission granted",
        "The web engine passed the compatibility check and every device permission the tracking "
        "options need was granted; steps the page did not ask for report 'not requested'.",
        "Browser and Permission check completed and Permission granted",
    ),
    custom(
        _S,
        2002,
        "Kiosk elements created; ready to load video and model",
        "The kiosk's own elements for the camera exist (the preview when showCamPreview).",
        "HTML Elements created. Ready to async load video and ML model",
    ),
    custom(
        _S,
        2003,
        "Video and face model loaded; ready to detect",
        "The camera gives pictures and the face model is loaded; again (detail.recovered) when "
        "a camera lost during the exam gives pictures again, which ends the 4008 episode.",
        "Video and ML model loaded. Ready to start face detection",
        ends=4008,
    ),
    custom(
        _E,
        4001,
        "Incompatible browser: the web engine is too old for this exam",
        "The embedded Chromium is older than the configured minimum (engine.minimum_chromium) "
        "or lacks a feature the exam requires.",
        "Incompatible Browser. Doesn't pass checkBrowserCompatiblity().",
    ),
    custom(
        _E,
        4002,
        "Access to the camera is blocked",
        "The operating system denies opening the camera.",
        "From permissions API, user has already blocked access to camera.",
    ),
    custom(
        _E,
        4003,
        "Access to the microphone is blocked",
        "The operating system denies opening the microphone.",
        "From permissions API, user has already blocked access to microphone.",
    ),
    custom(
        _E,
        4004,
        "Camera/microphone access was declined, or the exam page is not a secure context",
        "The student declined the kiosk's consent screen, or the exam URL is plain http on a "
        "non-local host.",
        "User has proactively declined access to camera/microphone. Or, the page is being loaded "
        "within an insecure context.",
    ),
    custom(
        _E,
        4005,
        "Hardware error, insecure context, or another error",
        "A device or the face model failed in a way no other code describes; or, during the "
        "exam, the session record cannot be written for want of space (the disk is full): the "
        "kiosk then frees the space it keeps in reserve beside the record, records what "
        "failed and this error there, and sends both (detail.record true, detail.cause what "
        "failed). Once the reserve is spent, what cannot be recorded is not sent to the page "
        "either: the page never has an event the record lacks.",
        "Hardware error, insecure context, or some other error.",
    ),
    custom(
        _E,
        4006,
        "Access to the camera and microphone is blocked",
        "The operating system denies opening both the camera and the microphone.",
        "From permissions API, user has already blocked access to camera and mic.",
    ),
    custom(
        _E,
        4007,
        "The microphone could not be read",
        "The microphone exists but capturing from it fails, at setup or during the exam.",
        "Audio Not Readable Error in getUserMedia.",
        reason="not_readable",
        violation=True,  # counts when the device is lost during monitoring
    ),
    custom(
        _E,
        4008,
        "The camera could not be read",
        "The camera exists but capturing from it fails, at setup or during the exam.",
        "Video Not Readable Error in getUserMedia.",
        reason="not_readable",
        violation=True,  # counts when the device is lost during monitoring
    ),
    custom(
        _E,
        4007,
        "The microphone was not found",
        "The configured microphone (name, index or file) does not exist.",
        "Mic Not Found in getUserMedia.",
        reason="not_found",
        violation=True,  # counts when the device is lost during monitoring
    ),
    custom(
        _E,
        4008,
        "The camera was not found",
        "The configured camera (index or file) does not exist.",
        "Camera Not Found in getUserMedia.",
        reason="not_found",
        violation=True,  # counts when the device is lost during monitoring
    ),
    custom(
        _E,
        4009,
        "We weren't able to find a microphone on your device. You need to enable your "
        "microphone, or use another device that has a microphone to take this test.",
        "The computer has no microphone at all (or --microphone none).",
        "We weren't able to find a microphone on your device. You need to enable your "
        "microphone, or use another device that has a microphone to take this test.",
    ),
    custom(
        _E,
        4010,
        "We weren't able to find a camera (or webcam) on your device. You need to enable your "
        "camera, or use another device that has a camera to take this test.",
        "The computer has no camera at all (or --camera none).",
        "We weren't able to find a camera (or webcam) on your device. You need to enable your "
        "camera, or use another device that has a camera to take this test.",
    ),
    custom(
        _E,
        4011,
        "Permission to capture the screen was denied",
        "setup() with captureSwitchedTab, or a capture at a switch away: the platform denies the "
        "kiosk's whole-screen capture (a Wayland or XWayland session without the portal).",
        "Permission to access a screen area was denied by the user, or the current browsing "
        "instance is not permitted access to screen sharing. Please reload the page to provide "
        "the access.",
    ),
    custom(
        _E,
        4012,
        "Screen capture failed",
        "The kiosk's whole-screen capture failed on a platform that can capture: no image, or "
        "it could not be encoded or stored.",
        "The user selected a screen, window, tab, or other source of screen data, but a hardware "
        "or operating system level error or lockout occurred, preventing the sharing of the "
        "selected source.",
    ),
    custom(
        _E,
        4013,
        "No screen is available to capture",
        "The kiosk's whole-screen capture found no screen (none attached, or one of no area).",
        "No sources of screen video are available for capture.",
    ),
    custom(
        _E,
        4014,
        "Only a window could be captured, not the entire screen",
        "The capture can only show the kiosk's own windows (Qt's offscreen-like platforms), or "
        "gave an image smaller than the screen.",
        "You must share your entire screen in order to proceed with the test. Please reload the "
        "page to select again.",
    ),
    custom(
        _E,
        4015,
        "We have detected multiple monitors. Please disconnect the extra monitor (or displays "
        "like Chromecast). If you continue without disconnecting, your teacher will be informed "
        "of multiple monitors.",
        "More than one monitor at setup: setup() fails with it while policy.multiple_monitors is "
        "block; with warn (and detectMultipleScreens) it fires and setup continues.",
        "We have detected multiple monitors. Please disconnect the extra monitor (or displays "
        "like Chromecast). If you continue without disconnecting, your teacher will be informed "
        "of multiple monitors.",
    ),
    custom(
        _E,
        4016,
        "This operating system or session cannot be locked down",
        "setup(): policy.require_lockdown is on and this session cannot be locked down (Wayland "
        "or XWayland outside the kiosk's own cage session, offscreen: no keyboard grab, no "
        "staying on top); the cause says why.",
        "Use latest version of Safari on iPhone or iPad. Else, use Chrome.",
    ),
    custom(
        _E,
        4017,
        "This platform cannot capture other windows",
        "setup(): policy.force_capture_switched_tab is on and this platform cannot capture "
        "other windows.",
        "Please use Chrome or Firefox, if you want to proceed with the test. (if "
        "forceCaptureSwitchedTab is true)",
    ),
    custom(
        _V,
        5001,
        "No one looking at camera",
        "No face, or no face looking at the screen, for longer than the configured time.",
        "No one looking at camera",
        violation=True,
        sustained=True,
    ),
    custom(
        _V,
        5002,
        "More than 1 Person in Video",
        "Two or more faces for longer than the configured time.",
        "More than 1 Person in Video",
        violation=True,
        sustained=True,
    ),
    custom(
        _V,
        5003,
        "Random photo taken",
        "An evidence photo was taken at a random moment (photosAtRandom).",
        "Random photo taken",
    ),
    custom(
        _V,
        5004,
        "Audio above background levels",
        "The microphone level stayed above the learnt background for the configured time.",
        "Audio above background levels",
        violation=True,
        sustained=True,
    ),
    custom(
        _V,
        5005,
        "Document page hidden or focus lost",
        "While monitoring: the kiosk window lost focus (tabSwitch: another window was activated) "
        "or left an enforced fullscreen (minimised, the window manager, a resolution change). "
        "detail.cause says which; with captureSwitchedTab detail.screenshot is the whole screen.",
        "Document page hidden or focus lost",
        violation=True,
    ),
    custom(
        _V,
        5006,
        "Document page became visible or focus was gained",
        "The kiosk window has focus again; closes the 5005 episode (detail.awaySeconds).",
        "Document page became visible or focus was gained",
        ends=5005,
    ),
    custom(
        _V,
        5007,
        "Multiple monitors detected",
        "A monitor was added during the exam, or more than one is there when monitoring starts "
        "(warn); every extra screen is covered by a blank kiosk window.",
        "Multiple monitors detected",
        violation=True,
    ),
    custom(
        _V,
        5008,
        "Multiple monitors suspected (not a violation)",
        "Not a violation: the OS reports displays Qt does not show as screens (a mirrored or "
        "cloned pair, more heads than screens) or a screen switched to a projector mode.",
        "Multiple monitors suspected (not a violation)",
    ),
)

CATALOGUE: tuple[EventSpec, ...] = (*SEED_EVENTS, *KIOSK_EVENTS)

_BY_KEY = {spec.key: spec for spec in CATALOGUE}


def lookup(code_or_name: int | str, reason: str | None = None) -> EventSpec:
    """The spec for a code (with its reason where the code has two cases) or a regular name."""
    key = str(code_or_name) if reason is None else f"{code_or_name}:{reason}"
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"no event {key!r} in the catalogue") from None


def by_code(code: int) -> tuple[EventSpec, ...]:
    """Every case of a code (two for 4007 and 4008), in catalogue order."""
    return tuple(s for s in CATALOGUE if s.code == code)


def violation_codes() -> frozenset[int]:
    return frozenset(s.code for s in CATALOGUE if s.violation and s.code is not None)
