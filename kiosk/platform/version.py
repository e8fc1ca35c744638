"""The kiosk's version, in the leaf layer so that any room may say it."""

VERSION = "0.1.0"
