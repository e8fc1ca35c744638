from __future__ import annotations

import pytest

from policies.accessibility import decide


@pytest.mark.parametrize(
    ("choice", "desktop", "shown", "why"),
    [
        ("allow", True, True, "on (the desktop asks for it)"),
        ("allow", False, False, "off (the desktop does not ask for it)"),
        ("allow", None, False, "off (the desktop does not say)"),
        ("on", None, True, "on (the kiosk's settings)"),
        ("on", False, True, "on (the kiosk's settings)"),
        ("off", True, False, "off (the kiosk's settings; the desktop asks for it)"),
        ("off", None, False, "off"),
    ],
)
def test_each_follows_the_desktop_where_the_settings_allow(
    choice: str, desktop: bool | None, shown: bool, why: str
) -> None:
    contrast = decide(choice, "off", desktop, None)  # type: ignore[arg-type]
    motion = decide("off", choice, None, desktop)  # type: ignore[arg-type]
    assert (contrast.high_contrast, contrast.checks["highContrast"]) == (shown, why)
    assert (motion.reduced_motion, motion.checks["reducedMotion"]) == (shown, why)
    assert not contrast.reduced_motion and not motion.high_contrast


def test_the_engine_gets_one_blink_settings_switch_for_both() -> None:
    both = decide("on", "on", None, None)
    assert both.engine_flags() == [
        "--blink-settings=preferredContrast=more,prefersReducedMotion=true"
    ]
    assert decide("allow", "off", True, True).engine_flags() == [
        "--blink-settings=preferredContrast=more"
    ]
    assert decide("allow", "allow", False, False).engine_flags() == []
