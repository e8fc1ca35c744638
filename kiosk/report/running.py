"""Starting the reporter of a running kiosk, when its configuration names an LRS."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from kiosk.launch.options import RunOptions
from kiosk.platform.errors import KioskExit
from kiosk.report.lrs import Lrs
from kiosk.report.reporter import Reporter
from kiosk.report.signing import Signer, installation_signer
from kiosk.session.record import Decided

log = logging.getLogger("kiosk.report")

#: How long a quitting kiosk goes on sending (its last statements, typically a handful).
GRACE_SECONDS = 5.0


def start_reporting(
    folder: Path, opts: RunOptions, decided: Decided, pending: Callable[[int], None] | None = None
) -> Reporter | None:
    """The started reporter, or None when nothing is to be sent now. A password that cannot be
    had (no such keyring secret) sends nothing now, and loses nothing: every statement stays
    owed in the record, for ``kiosk report flush`` once it is set."""
    settings = opts.config.report
    if settings.lrs is None:
        return None
    try:
        lrs = Lrs.from_settings(settings)
    except KioskExit as exc:
        log.error("reports are not sent now: %s", exc)
        decided("report", "not sent now", {"lrs": settings.lrs, "why": str(exc)})
        return None
    signer = signer_or_none(decided)
    reporter = Reporter(
        folder,
        opts.data_dir,
        lrs,
        settings.batch,
        pending=pending,
        signer=signer,
        keep_days=settings.keep_days,
    )
    reporter.start()
    return reporter


def signer_or_none(decided: Decided | None = None) -> Signer | None:
    """This installation's signing key; without a keyring the statements go unsigned (said in
    the log and, for a session, in its record), never unsent."""
    try:
        return installation_signer()
    except KioskExit as exc:
        log.warning("statements are sent unsigned: %s", exc)
        if decided is not None:
            decided("report", "statements unsigned", {"why": str(exc)})
        return None
