"""The kiosk's version, in the leaf layer so that any room may say it."""

VERSION = "0.1.0"

#: The Safe Exam Browser generation whose user agent and JavaScript API the kiosk offers.
SEB_COMPATIBLE = "3.0"
