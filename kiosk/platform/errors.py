"""Errors that end the program with a documented exit code and one clear line."""


class KioskExit(Exception):
    """Ends the program with ``exit_code``; ``str(self)`` is the one line printed on stderr."""

    exit_code = 1


class UsageError(KioskExit):
    """Bad usage, bad URL, bad configuration file, unsafe engine settings."""

    exit_code = 2


class EngineStartError(KioskExit):
    """The web engine or the display could not start; the message says what to install or set."""

    exit_code = 3


class DisplayLost(KioskExit):
    """The display connection was lost while the kiosk ran (the X server went away, or another
    X client killed the kiosk's connection): the session record is closed with the cause first.
    """

    exit_code = 4
