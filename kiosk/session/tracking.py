"""The tracking options an exam page passes to ``setup()``, with AutoProctor's names.

Unknown names and wrong types are rejected. Every option is built (``forceDesktop`` is met by
construction: kiosk only runs on desktop operating systems).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.platform.validation import describe

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class TrackingOptions(BaseModel):
    model_config = _STRICT

    audio: bool = Field(False, description="Microphone level above background (5004).")
    numHumans: bool = Field(False, description="Camera face detection (5001, 5002).")
    tabSwitch: bool = Field(True, description="Focus lost / regained (5005, 5006).")
    captureSwitchedTab: bool = Field(False, description="Screenshot as evidence of 5005.")
    photosAtRandom: bool = Field(False, description="Random evidence photos (5003).")
    numPhotosAtRandom: int = Field(3, ge=0, le=100, description="How many random photos.")
    testTakerPhoto: bool = Field(False, description="One photo of the test taker at start.")
    forceFullScreen: bool = Field(True, description="Keep the exam window fullscreen.")
    detectMultipleScreens: bool = Field(True, description="Report extra monitors (4015, 5007).")
    forceDesktop: bool = Field(False, description="Refuse phones and tablets.")
    showCamPreview: bool = Field(False, description="Show the student their camera.")


class SetupRequest(BaseModel):
    """The argument of ``AutoProctor.setup()``."""

    model_config = _STRICT

    trackingOptions: TrackingOptions = TrackingOptions()
    testDuration: float | None = Field(None, gt=0, description="Test length in minutes.")


def parse_setup(raw: Any) -> SetupRequest:
    """Validates what the page passed; raises ValueError with a message fit for the page."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValueError("setup() takes one object: {trackingOptions, testDuration}")
    try:
        return SetupRequest.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(describe(exc, what="option")) from None


def needs_camera(options: TrackingOptions) -> bool:
    return (
        options.numHumans
        or options.photosAtRandom
        or options.testTakerPhoto
        or options.showCamPreview
    )


def needs_microphone(options: TrackingOptions) -> bool:
    return options.audio
