"""Configuration: built-in defaults, then a TOML file (``--config``), then the command line.

Each option is declared once here, with its type, default and description; a typo or a wrong
type in the file is an error naming the key and the file. ``python -m kiosk.config.docs``
generates docs/configuration.md from these models.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bridge.catalogue import violation_codes
from kiosk.config.computer_settings import ComputerSettings
from kiosk.platform.errors import UsageError
from kiosk.platform.files import read_regular_file
from kiosk.platform.validation import describe
from kiosk.session.tracking import TrackingOptions
from policies.accessibility import Choice
from policies.quit import valid_hash
from policies.trust import DEFAULT_WEIGHTS, ViolationWeight
from policies.urlfilter import FilterRule

# Strict: a wrong type is an error, never a guess ("yes" is not a boolean, "45" not a number).
_FORBID = ConfigDict(extra="forbid", strict=True)


class SessionSettings(BaseModel):
    model_config = _FORBID

    data_dir: Path | None = Field(
        None,
        strict=False,  # TOML has no path type: a string is the only way to write one
        description="Where session folders go (default: the platform's user data dir).",
    )
    event_log: Path | None = Field(
        None, strict=False, description="JSON Lines file of every event dispatched into the page."
    )
    autostart: bool = Field(
        False, description="Run setup() and start() when the first page loads, stop() on quit."
    )
    tracking: TrackingOptions = Field(
        default_factory=TrackingOptions, description="Tracking options autostart uses."
    )
    test_duration: float | None = Field(
        None, gt=0, description="Test length in minutes that autostart passes to setup()."
    )
    start_url: str | None = Field(
        None,
        description="Managed policy only: what the kiosk login session (kiosk session) opens, "
        "the exam's URL, a seb(s):// or kiosk(s):// link, or a .seb file.",
    )
    seb_password_keyring: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="The name of a secret in the OS keyring (kiosk secret set NAME) holding "
        "the settings password of password-protected .seb files: an exam opened from one is "
        "not asked for it (a wrong one is, as without it). From the managed policy or a "
        "configuration file, never from the .seb itself.",
    )


def data_dir_of(session: SessionSettings) -> Path:
    """Where sessions are kept: the configured folder, else the user's data folder."""
    import platformdirs

    return session.data_dir or Path(platformdirs.user_data_dir("kiosk"))


class DeviceSettings(BaseModel):
    model_config = _FORBID

    camera: str = Field("0", description="Device index, video file, or 'none'.")
    microphone: str = Field("default", description="'default', device, WAV file, or 'none'.")


class WindowSettings(BaseModel):
    model_config = _FORBID

    windowed: bool = Field(False, description="Development only: not fullscreen.")


class PolicySettings(BaseModel):
    model_config = _FORBID

    allow_windowed: bool = Field(True, description="Whether --windowed may be used at all.")
    new_window: Literal["block", "same_window"] = Field(
        "same_window",
        description="window.open / target=_blank: refused, or opened in the exam window.",
    )
    downloads: bool = Field(False, description="Whether the exam may download files.")
    url_filter: list[FilterRule] = Field(
        default_factory=list,
        description="SEB-style rules ({expression, action, regex, active}); the exam's own "
        "origin is allowed, anything unmatched is blocked.",
    )
    quit_password_hash: str | None = Field(
        None,
        description="Lets the student quit a running exam: SHA-256 hex (SEB's "
        "hashedQuitPassword) or scrypt$N$r$p$salt$hash.",
    )
    quit_url: str | None = Field(
        None, description="Reaching a URL that starts with this stops the session and quits."
    )
    force_fullscreen: bool = Field(
        False, description="Keep the exam fullscreen even when the page's forceFullScreen is off."
    )
    take_focus_back: bool = Field(
        True, description="Re-activate the exam window when another window takes focus."
    )
    refocus_after: float = Field(
        1.0, ge=0, le=60, description="Seconds of grace before the kiosk takes focus back."
    )
    require_lockdown: bool = Field(
        True,
        description="setup() fails (4016) where the session cannot be locked down, e.g. "
        "Wayland outside the kiosk's own cage session.",
    )
    multiple_monitors: Literal["block", "warn", "off"] = Field(
        "block",
        description="More than one monitor at setup: fail until it is gone (block, the page "
        "cannot relax it), or report 4015 and 5007 (warn, when the page asks with "
        "detectMultipleScreens), or ignore (off). Extra screens are always covered.",
    )
    force_capture_switched_tab: bool = Field(
        False, description="Require a whole-screen capture on focus loss; 4017 where impossible."
    )
    keyboard_grab: bool = Field(
        True, description="X11: grab the keyboard while monitoring, so switcher keys reach us."
    )
    clipboard: Literal["block", "isolated", "allow"] = Field(
        "isolated",
        description="block: no copy/paste; isolated: copy/paste inside the exam only, nothing "
        "the exam copies or selects ever reaches the OS clipboard or the X selection, and "
        "nothing from outside is pasted in; allow: the OS clipboard as usual.",
    )
    allow_zoom: bool = Field(False, description="Whether Ctrl+Plus/Minus/0 and Ctrl+wheel zoom.")
    allow_reload: bool = Field(False, description="Whether F5 / Ctrl+R reload the page.")
    context_menu: bool = Field(False, description="Whether the page's context menu opens.")
    uploads: bool = Field(False, description="Whether the page may open a file chooser.")
    webrtc: bool = Field(
        False,
        description="Whether the page may use WebRTC (peer connections, data channels). Off, "
        "its RTC interfaces are removed in every frame the kiosk reaches; on or off, WebRTC "
        "sends no UDP and connects only to hosts the URL filter admits (docs/network.md).",
    )

    @field_validator("quit_password_hash")
    @classmethod
    def _hash_form(cls, value: str | None) -> str | None:
        if value is not None and not valid_hash(value):
            raise ValueError("must be 64 hex digits (SHA-256) or scrypt$N$r$p$salt_hex$hash_hex")
        return value


class AccessibilitySettings(BaseModel):
    """[accessibility]: what the exam page is told the student needs (policies/accessibility.py).
    Zoom is [policy] allow_zoom; screen readers are welcome ([computer] assistive_tools)."""

    model_config = _FORBID

    high_contrast: Choice = Field(
        "allow",
        description="The page's prefers-contrast: more. allow: when the desktop's accessibility "
        "settings ask for high contrast; on: always (an accommodation); off: never.",
    )
    reduced_motion: Choice = Field(
        "allow",
        description="The page's prefers-reduced-motion: reduce. allow: when the desktop turns "
        "animations off; on: always; off: never.",
    )


class EngineSettings(BaseModel):
    model_config = _FORBID

    minimum_chromium: int = Field(
        120, ge=0, description="Oldest Chromium major version setup() accepts (else 4001)."
    )
    unsafe_engine_allowance: bool = Field(
        True,
        description="Managed policy only: whether KIOSK_TEST_ALLOW_UNSAFE_ENGINE=1 may let "
        "unsafe web-engine settings through at all (a test machine, a source checkout). The "
        "package's policy sets it false, so on a school's computer nothing can.",
    )


class ProctorSettings(BaseModel):
    model_config = _FORBID

    analyse_fps: float = Field(4.0, gt=0, le=30, description="Camera frames analysed a second.")
    no_face_after: float = Field(
        3.0, ge=0, description="Seconds without a face looking at the screen before 5001."
    )
    multiple_faces_after: float = Field(
        2.0, ge=0, description="Seconds with two or more faces before 5002."
    )
    audio_after: float = Field(
        1.0, ge=0, description="Seconds the sound stays above background before 5004."
    )
    audio_margin_db: float = Field(
        12.0, gt=0, description="How far above the learnt background counts as loud (dB)."
    )
    min_face_confidence: float = Field(0.5, gt=0, lt=1, description="Face detector threshold.")
    face_model: Path | None = Field(
        None, strict=False, description="A BlazeFace .tflite file (default: the cached model)."
    )
    photo_capacity: int = Field(
        30, ge=0, description="Evidence photos kept at most; past it events carry no photo."
    )
    photo_window_minutes: float = Field(
        30.0, gt=0, description="Span random photos are spread over when there is no testDuration."
    )
    ask_consent: bool = Field(
        True, description="Show the consent screen before the camera or microphone starts."
    )


class TrustScoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weights: dict[int, ViolationWeight] = Field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS),
        description="Per violation code; codes left out use the defaults.",
    )
    unsafe_engine: float = Field(
        50.0,
        ge=0,
        le=100,
        description="What the score loses when the session ran with unsafe web-engine "
        "settings (a test machine's allowance); the page is told of them in 2001.",
    )

    @field_validator("weights", mode="before")
    @classmethod
    def _fill_from_defaults(cls, value: Any) -> Any:
        """A code's table may set only some weights; the others keep that code's defaults."""
        if not isinstance(value, dict):
            return value
        out = {}
        for key, given in value.items():
            try:
                base = DEFAULT_WEIGHTS.get(int(key))
            except (TypeError, ValueError):
                base = None
            if base is not None and isinstance(given, dict):
                given = {**base.model_dump(), **given}
            out[key] = given
        return out

    @field_validator("weights")
    @classmethod
    def _known_codes(cls, value: dict[int, ViolationWeight]) -> dict[int, ViolationWeight]:
        unknown = sorted(set(value) - violation_codes())
        if unknown:
            raise ValueError(
                f"{unknown} are not violation codes (violations: {sorted(violation_codes())})"
            )
        return {**DEFAULT_WEIGHTS, **value}


class ReportSettings(BaseModel):
    model_config = _FORBID

    lrs: str | None = Field(
        None,
        description="The Learning Record Store's xAPI base (https://lrs.example.org/xAPI/): "
        "every recorded event and decision is sent to <lrs>statements. Unset: nothing is sent.",
    )
    username: str | None = Field(None, description="The LRS account (HTTP basic auth).")
    password_keyring: str | None = Field(
        None, description="The name of the LRS password in the OS keyring (`kiosk secret set`)."
    )
    password_file: Path | None = Field(
        None,
        strict=False,
        description="A file holding the LRS password (first line), mode 0600 or refused: for "
        "machines without a keyring.",
    )
    ca_file: Path | None = Field(
        None,
        strict=False,
        description="A PEM bundle of the certificate authorities the LRS's TLS is checked "
        "against (default: the system's). TLS is always verified.",
    )
    batch: int = Field(50, ge=1, le=500, description="Statements sent in one request at most.")
    keep_days: float = Field(
        30.0,
        gt=0,
        strict=False,
        description="Days a session's record and evidence photos are kept on this computer "
        "after the LRS confirmed its last statement; then the next start (or `kiosk sessions "
        "--purge`) deletes them. Sessions with anything still owed are never deleted.",
    )

    @field_validator("lrs")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) address of an LRS")
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: an LRS base has no query or fragment")
        return value if value.endswith("/") else value + "/"


class KioskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")  # its sections are strict

    session: SessionSettings = Field(default_factory=SessionSettings)
    devices: DeviceSettings = Field(default_factory=DeviceSettings)
    window: WindowSettings = Field(default_factory=WindowSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    accessibility: AccessibilitySettings = Field(default_factory=AccessibilitySettings)
    computer: ComputerSettings = Field(default_factory=ComputerSettings)
    proctoring: ProctorSettings = Field(default_factory=ProctorSettings)
    trust_score: TrustScoreConfig = Field(default_factory=TrustScoreConfig)
    report: ReportSettings = Field(default_factory=ReportSettings)


#: A configuration is a few KB; a file past this is not one (and would only fill memory).
MAX_CONFIG_BYTES = 2**20


def read_settings(
    path: Path, what: str, parse: Callable[[bytes], dict[str, Any]] | None = None
) -> tuple[dict[str, Any], KioskConfig]:
    """A file's settings as written, and validated; every problem is a UsageError naming
    ``what``. The file is read as kiosk/platform/files.py reads one: a regular file of
    MAX_CONFIG_BYTES at most, never a FIFO or a device. ``parse`` turns its bytes into a
    dictionary (default: TOML)."""
    raw = read_regular_file(path, MAX_CONFIG_BYTES, what)
    try:
        data = parse(raw) if parse is not None else tomllib.loads(raw.decode("utf-8"))
        return data, KioskConfig.model_validate(data)
    except UnicodeDecodeError:
        raise UsageError(f"{what}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{what}: not valid TOML ({exc})") from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise UsageError(f"{what}: nested too deeply to be a configuration") from None
    except ValidationError as exc:
        raise UsageError(f"{what}: {describe(exc)}") from None


def load(path: Path) -> KioskConfig:
    """Reads and validates a TOML configuration file (``--config``)."""
    return read_settings(path, f"config file {path}")[1]


def file_layer(path: Path | None) -> dict[str, Any]:
    """What the ``--config`` file sets, as a configuration layer (kiosk/config/layers.py)."""
    return load(path).model_dump(exclude_unset=True) if path is not None else {}
