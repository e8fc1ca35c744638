"""kiosk: a lockdown exam browser with on-device proctoring."""

from kiosk.platform.version import VERSION as __version__

__all__ = ["__version__"]
