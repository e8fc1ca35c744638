"""kiosk: a lockdown exam browser with on-device proctoring."""

__version__ = "0.1.0"
