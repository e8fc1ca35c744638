"""``kiosk report flush`` and ``kiosk sessions``: what this computer's sessions owe, sent or shown.

``flush`` first closes the sessions a killed kiosk left open (so the LRS learns they ended
abnormally), then delivers every session that reports and still owes statements. Exit 0 when
nothing is owed any more, 1 when something still is (the LRS is down), with a line saying so.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from kiosk.config.settings import ReportSettings
from kiosk.platform.errors import UsageError
from kiosk.report.delivery import deliver, reported_sessions
from kiosk.report.lrs import Lrs, LrsRefused, LrsUnavailable
from kiosk.report.outbox import Outbox
from kiosk.report.running import signer_or_none
from kiosk.report.signing import check
from kiosk.report.statements import SessionFacts
from kiosk.session.record import ENDED_ABNORMALLY, RECORD_NAME, session_records
from kiosk.session.unfinished import close_unfinished


def flush(data_dir: Path, settings: ReportSettings) -> tuple[int, list[str]]:
    """Each session goes by ``settings`` when they name an LRS, else by the settings its record
    kept (a session a .seb configured, flushed without the .seb)."""
    signer = signer_or_none()
    lines = [ended.describe() for ended in close_unfinished(data_dir, time.time())]
    owed_total, failed = 0, None
    down: set[str] = set()  # LRSs that failed: what their sessions owe is counted, not sent
    for folder in reported_sessions(data_dir):
        with Outbox(folder) as box:
            meta, owed = box.meta(), box.standing().owed
        own = settings_of(meta, settings)
        if not owed or own is None or own.lrs in down:
            if owed and own is None:
                lines.append(
                    f"{folder.name}: ran with the LRS {meta.get('report_lrs')}, and no "
                    "configuration names one now; pass its --config"
                )
                failed = failed or "no settings for every session's LRS"
            owed_total += owed
            continue
        try:
            lrs = Lrs.from_settings(own)
        except UsageError as exc:
            lines.append(f"{folder.name}: {exc}")
            owed_total += owed
            failed = failed or str(exc)
            continue
        done = deliver(folder, lrs, own.batch, signer=signer)
        if done.sent:
            lines.append(f"{folder.name}: sent {done.sent} statements")
        owed_total += done.owed
        if done.error is not None:
            failed = done.error
            if not done.refused:
                down.add(str(own.lrs))
    if failed is not None:
        lines.append(f"{owed_total} statements are still owed: {failed}")
        return 1, lines
    if owed_total:  # sessions still running, or not yet set up
        lines.append(f"{owed_total} statements are owed by sessions still running")
        return 1, lines
    lines.append("nothing is owed: every recorded statement is in the LRS")
    return 0, lines


def settings_of(meta: dict[str, Any], configured: ReportSettings) -> ReportSettings | None:
    """The settings a session's statements go by: the configured ones when there are (the
    administrator says where, as when the school's LRS moved), else those its record kept;
    None when neither names an LRS."""
    ran_with = meta.get("report_lrs")
    if configured.lrs is not None:
        return configured
    kept = meta.get("report")
    if isinstance(kept, dict) and kept.get("lrs") == ran_with:
        try:
            return ReportSettings.model_validate(kept)
        except ValueError:
            return None
    return None


def _when(meta: dict[str, object]) -> str:
    t = meta.get("launched_at")
    if not isinstance(t, int | float):
        return "?"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))


def list_sessions(data_dir: Path) -> list[str]:
    """A line per session: when, exam, trust score, and where its reports stand."""
    lines = []
    for path in session_records(data_dir):
        try:
            with Outbox(path.parent) as box:
                meta, standing = box.meta(), box.standing()
        except sqlite3.DatabaseError as exc:
            lines.append(f"{path.parent.name}  its record cannot be read ({exc})")
            continue
        score = meta.get("trust_score")
        if not meta.get("report_lrs"):
            reports = "not reported"
        elif standing.owed:
            reports = f"{standing.reported} delivered, {standing.owed} pending"
        else:
            reports = f"{standing.reported} delivered"
        state = (
            ENDED_ABNORMALLY
            if standing.ended_abnormally
            else ("closed" if standing.closed else "open")
        )
        lines.append(
            f"{path.parent.name}  {_when(meta)}  {meta.get('url', '?')}  "
            f"trust {score if score is not None else '-'}  {state}  {reports}"
        )
    return lines or [f"no sessions in {data_dir}"]


def configured(config: Path | None, data_dir: Path | None) -> tuple[Path, ReportSettings]:
    """The data folder and the report settings as a run would have them: the managed policy
    over the configuration file."""
    from kiosk.config.layers import Layers
    from kiosk.config.managed import load_managed
    from kiosk.config.settings import data_dir_of, file_layer

    cfg = Layers(file=file_layer(config), managed=load_managed()).config()
    folder = data_dir or data_dir_of(cfg.session)
    return folder, cfg.report


def verify(
    data_dir: Path, settings: ReportSettings, session: str, public: RSAPublicKey
) -> tuple[int, list[str]]:
    """Checks what the LRS holds of one session against its record and this installation's
    key: every statement the record made is there, each signed by the key and unaltered, and
    nothing else claims to be of this session. Exit 0 when all of that holds."""
    folder = data_dir / "sessions" / session
    if not (folder / RECORD_NAME).is_file():
        raise UsageError(f"no session {session} in {data_dir / 'sessions'}")
    with Outbox(folder) as box:
        meta, made = box.meta(), box.made()
    facts = SessionFacts.from_meta(folder.name, meta)
    expected = {facts.statement_id(kind, seq): f"{kind}/{seq}" for kind, seq in made}
    try:
        held = Lrs.from_settings(settings_of(meta, settings) or settings).statements(
            facts.registration
        )
    except (LrsUnavailable, LrsRefused) as exc:
        return 1, [f"cannot verify {session}: {exc}"]
    problems, good = [], 0
    seen: set[str] = set()
    for statement in held:
        sid = str(statement.get("id"))
        where = expected.get(sid, f"statement {sid}")
        if sid not in expected:
            problems.append(f"{where}: not one this kiosk recorded")
        elif sid in seen:
            problems.append(f"{where}: held twice")
        elif (wrong := check(statement, public)) is not None:
            problems.append(f"{where}: {wrong}")
        else:
            good += 1
        seen.add(sid)
    missing = [ref for sid, ref in expected.items() if sid not in seen]
    if missing:
        problems.append(f"{len(missing)} recorded statements are not in the LRS: {missing[:5]}")
    lines = [f"{good} of {len(expected)} statements verified (registration {facts.registration})"]
    return (1 if problems else 0), lines + problems


def public_key(path: Path | None, parsed: bool = False) -> Any:
    """A PEM public key from ``path``, else this installation's (made on first use)."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from kiosk.report.signing import installation_signer

    if path is None:
        pem = installation_signer().public_pem()
    else:
        try:
            pem = path.read_text()
        except OSError as exc:
            raise UsageError(f"--public-key {path}: cannot read it ({exc.strerror})") from None
    if not parsed:
        return pem
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError:
        raise UsageError(f"--public-key {path}: not a PEM public key") from None
    if not isinstance(key, RSAPublicKey):
        raise UsageError(f"--public-key {path}: not an RSA key")
    return key


def purged(data_dir: Path, settings: ReportSettings) -> list[str]:
    from kiosk.report.retention import purge

    gone = purge(data_dir, settings.keep_days, time.time())
    days = f"{settings.keep_days:g}"
    return [f"deleted {f.name}: every statement confirmed over {days} days ago" for f in gone] or [
        f"nothing to delete: no session was fully reported over {days} days ago"
    ]


def show(data_dir: Path, session: str, output: Path | None) -> str:
    """Writes the review of ``session``; the line saying where."""
    from kiosk.report.review import read
    from kiosk.report.review_page import render

    review = read(data_dir, session)
    target = output if output is not None else Path(f"{session}.html")
    try:
        target.write_text(render(review), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"-o {target}: cannot write it ({exc.strerror})") from None
    photos = sum(len(r.photos) for r in review.rows)
    return f"wrote {target}: {len(review.rows)} events and decisions, {photos} photos"
