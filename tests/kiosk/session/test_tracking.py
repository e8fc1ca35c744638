"""The argument of setup(): AutoProctor's option names, strictly typed."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.session.tracking import (
    TrackingOptions,
    needs_camera,
    needs_microphone,
    parse_setup,
)


def test_defaults() -> None:
    raws: list[Any] = [None, {}, {"trackingOptions": {}}]
    for raw in raws:
        request = parse_setup(raw)
        assert request.testDuration is None
        assert request.trackingOptions == TrackingOptions()
    options = TrackingOptions()
    assert options.tabSwitch is True
    assert options.forceFullScreen is True
    assert options.detectMultipleScreens is True
    assert options.audio is False
    assert options.numHumans is False
    assert options.numPhotosAtRandom == 3


def test_values_are_taken() -> None:
    request = parse_setup(
        {"trackingOptions": {"audio": True, "numPhotosAtRandom": 7}, "testDuration": 90}
    )
    assert request.trackingOptions.audio is True
    assert request.trackingOptions.numPhotosAtRandom == 7
    assert request.testDuration == 90


def test_unknown_option() -> None:
    with pytest.raises(ValueError) as caught:
        parse_setup({"trackingOptions": {"tabSwich": False}})
    assert str(caught.value) == "unknown option 'trackingOptions.tabSwich'"


def test_unknown_top_level_key() -> None:
    with pytest.raises(ValueError, match="unknown option 'testDurations'"):
        parse_setup({"testDurations": 10})


@pytest.mark.parametrize(
    "value",
    [1, 0, "true", "yes", None],
)
def test_booleans_are_strict(value: Any) -> None:
    with pytest.raises(
        ValueError, match=r"trackingOptions\.audio: Input should be a valid boolean"
    ):
        parse_setup({"trackingOptions": {"audio": value}})


@pytest.mark.parametrize("value", [True, 2.5, "3"])
def test_num_photos_is_a_strict_integer(value: Any) -> None:
    with pytest.raises(ValueError, match=r"trackingOptions\.numPhotosAtRandom"):
        parse_setup({"trackingOptions": {"numPhotosAtRandom": value}})


@pytest.mark.parametrize(("value", "ok"), [(-1, False), (0, True), (100, True), (101, False)])
def test_num_photos_bounds(value: int, ok: bool) -> None:
    raw = {"trackingOptions": {"numPhotosAtRandom": value}}
    if ok:
        assert parse_setup(raw).trackingOptions.numPhotosAtRandom == value
    else:
        with pytest.raises(ValueError, match="numPhotosAtRandom"):
            parse_setup(raw)


@pytest.mark.parametrize("value", [0, -5, "10"])
def test_test_duration_must_be_a_positive_number(value: Any) -> None:
    with pytest.raises(ValueError, match="testDuration"):
        parse_setup({"testDuration": value})


def test_test_duration_accepts_fractions() -> None:
    assert parse_setup({"testDuration": 0.5}).testDuration == 0.5


@pytest.mark.parametrize("raw", [[], "options", 3, True, [{"trackingOptions": {}}]])
def test_the_argument_must_be_an_object(raw: Any) -> None:
    with pytest.raises(ValueError, match=r"setup\(\) takes one object"):
        parse_setup(raw)


def test_tracking_options_must_be_an_object() -> None:
    with pytest.raises(ValueError, match="trackingOptions"):
        parse_setup({"trackingOptions": [True]})


def test_several_problems_are_reported_together() -> None:
    with pytest.raises(ValueError) as caught:
        parse_setup({"trackingOptions": {"audio": 1, "bogus": True}})
    message = str(caught.value)
    assert "trackingOptions.audio" in message
    assert "unknown option 'trackingOptions.bogus'" in message


def test_device_needs() -> None:
    assert not needs_camera(TrackingOptions())
    assert not needs_microphone(TrackingOptions())
    for name in ("numHumans", "photosAtRandom", "testTakerPhoto"):
        assert needs_camera(TrackingOptions.model_validate({name: True})), name
    assert needs_microphone(TrackingOptions(audio=True))
    assert not needs_camera(TrackingOptions(audio=True))


def test_options_are_frozen() -> None:
    options = TrackingOptions()
    with pytest.raises(ValueError):
        options.audio = True
