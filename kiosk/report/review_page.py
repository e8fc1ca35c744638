"""The reviewer's page of one session: a single HTML file that needs nothing else.

No script, no font, no request: the styles are in the page, the photos are data URIs, and the
page's Content-Security-Policy forbids loading anything at all, so opening it can tell nobody
that it was opened. Every text from the record is escaped: a page under review could have put
anything in an event's detail.
"""

from __future__ import annotations

import json
import time
from html import escape
from typing import Any

from bridge.catalogue import by_code, violation_codes
from kiosk.report.review import Episode, Photo, Review

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
WIDTH, LABEL, ROW = 960, 230, 30
COLOURS = ["#c0392b", "#d35400", "#8e44ad", "#2c3e50", "#16a085", "#b7950b", "#7f8c8d"]

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.facts{display:flex;gap:28px;flex-wrap:wrap;margin:12px 0}
.fact b{display:block;font-size:12px;color:#666;font-weight:normal}
.score{font-size:34px;font-weight:bold}
table{border-collapse:collapse;width:100%} td,th{padding:4px 8px;vertical-align:top;text-align:left}
tr+tr td{border-top:1px solid #eee} th{font-size:12px;color:#666;font-weight:normal}
tr.violation td:first-child{border-left:4px solid #c0392b} tr.decision{color:#555}
tr.decision td:first-child{border-left:4px solid #bbb}
figure{margin:0 0 6px} figure img{width:200px;border:1px solid #ccc;display:block}
figcaption,.muted{font-size:12px;color:#666} code{font-size:12px}
details pre{white-space:pre-wrap;font-size:12px;background:#f6f6f6;padding:6px;margin:4px 0}
.missing{color:#c0392b}
"""


def render(review: Review) -> str:
    meta = review.meta
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>Session {escape(review.session)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Session {escape(review.session)}</h1>",
        f"<div class=muted id=exam>{escape(str(meta.get('url', '')))}</div>",
        _facts(review),
        "<h2>Timeline</h2>",
        _timeline(review),
        "<h2>Trust score</h2>",
        _breakdown(review),
        "<h2>Events and decisions</h2>",
        _rows(review),
        "<h2>Setup</h2>",
        _setup(meta),
        "</body></html>",
    ]
    return "\n".join(parts)


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def _since(review: Review, t: float) -> str:
    s = max(0, round(t - review.start))
    return (
        f"+{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
        if s >= 3600
        else f"+{s // 60}:{s % 60:02d}"
    )


def _message(code: int) -> str:
    specs = by_code(code)
    return specs[0].message if specs else f"code {code}"


def _facts(review: Review) -> str:
    score = "not scored" if review.trust_score is None else str(review.trust_score)
    s = review.standing
    reports = (
        "not reported"
        if not review.meta.get("report_lrs")
        else f"{s.reported} delivered, {s.owed} pending"
    )
    facts = [
        ("trust score", f"<span class=score id=score>{escape(score)}</span>"),
        ("started", escape(_when(review.start))),
        ("lasted", escape(_since(review, review.end))),
        ("state", f"<span id=state>{escape(review.state)}</span>"),
        ("violations", f"<span id=violations>{len(review.episodes)}</span>"),
        ("reports", f"<span id=reports>{escape(reports)}</span>"),
    ]
    return (
        "<div class=facts>"
        + "".join(f"<div class=fact><b>{name}</b>{value}</div>" for name, value in facts)
        + "</div>"
    )


def _timeline(review: Review) -> str:
    codes = sorted({e.code for e in review.episodes})
    photos = [(r.t, p) for r in review.rows for p in r.photos]
    lines = len(codes) + 1  # the violations' rows, then the photos'
    height = 30 + lines * ROW
    span = max(review.end - review.start, 1.0)

    def x(t: float) -> float:
        return LABEL + (WIDTH - LABEL - 30) * (t - review.start) / span  # room for the last tick

    svg = [f'<svg id=timeline width="{WIDTH}" height="{height}" role=img '
           f'aria-label="violation episodes over time" style="font-size:12px">']  # fmt: skip
    step = _tick(span)
    t = 0.0
    while t <= span:
        svg.append(f'<line x1="{x(review.start + t):.1f}" x2="{x(review.start + t):.1f}" y1="18" '
                   f'y2="{height}" stroke="#eee"/><text x="{x(review.start + t):.1f}" y="12" '
                   f'text-anchor=middle fill="#888">{escape(_since(review, review.start + t))}'
                   "</text>")  # fmt: skip
        t += step
    for i, code in enumerate(codes):
        y = 24 + i * ROW
        colour = COLOURS[i % len(COLOURS)]
        label = f"{code} {_message(code)}"
        svg.append(f'<text x="0" y="{y + 15}" fill="{colour}">{escape(label[:34])}'
                   f"<title>{escape(label)}</title></text>")  # fmt: skip
        for ep in (e for e in review.episodes if e.code == code):
            svg.append(_bar(review, ep, x(ep.started), x(ep.ended), y, colour))
    y = 24 + len(codes) * ROW
    svg.append(f'<text x="0" y="{y + 15}" fill="#555">evidence photos</text>')
    for when, photo in photos:
        svg.append(f'<rect class=photo x="{x(when) - 3:.1f}" y="{y + 5}" width="6" height="14" '
                   f'fill="#2c3e50"><title>{escape(photo.id)} at {escape(_since(review, when))}'
                   "</title></rect>")  # fmt: skip
    svg.append("</svg>")
    if not codes:
        svg.append("<p class=muted>No violation during monitoring.</p>")
    return "".join(svg)


def _bar(review: Review, ep: Episode, x0: float, x1: float, y: int, colour: str) -> str:
    seconds = max(0.0, ep.ended - ep.started)
    tip = f"{ep.code} at {_since(review, ep.started)} for {seconds:.0f} s"
    return (f'<rect class=episode data-code="{ep.code}" x="{x0:.1f}" y="{y}" '
            f'width="{max(3.0, x1 - x0):.1f}" height="20" rx="3" fill="{colour}">'
            f"<title>{escape(tip)}</title></rect>")  # fmt: skip


def _tick(span: float) -> float:
    for step in (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if span / step <= 10:
            return float(step)
    return span / 10


def _breakdown(review: Review) -> str:
    codes = sorted(
        {e.code for e in review.episodes} | {int(k) for k in review.penalties if k.isdigit()}
    )
    if not codes and not review.penalties:
        return "<p class=muted>Nothing was held against this session.</p>"
    rows = ["<table id=breakdown><tr><th>code</th><th>what</th><th>episodes</th><th>minutes</th>"
            "<th>points lost</th></tr>"]  # fmt: skip
    for code in codes:
        eps = [e for e in review.episodes if e.code == code]
        minutes = sum(max(0.0, e.ended - e.started) for e in eps) / 60
        lost = review.penalties.get(str(code))
        rows.append(f"<tr data-code={code}><td>{code}</td><td>{escape(_message(code))}</td>"
                    f"<td>{len(eps)}</td><td>{minutes:.1f}</td>"
                    f"<td>{'-' if lost is None else f'{lost:g}'}</td></tr>")  # fmt: skip
    for name, lost in review.penalties.items():
        if not name.isdigit():
            rows.append(f"<tr><td></td><td>{escape(name)} (the whole session)</td><td></td>"
                        f"<td></td><td>{lost:g}</td></tr>")  # fmt: skip
    if review.trust_score is None:
        rows.append("<tr><td></td><td colspan=4 class=muted>The session was never scored: "
                    f"{escape(review.state)}.</td></tr>")  # fmt: skip
    return "".join(rows) + "</table>"


def _rows(review: Review) -> str:
    violations = violation_codes()
    out = ["<table id=events><tr><th>when</th><th>what</th><th>code</th><th>said</th>"
           "<th>evidence</th></tr>"]  # fmt: skip
    for r in review.rows:
        cls = "decision" if r.what == "decision" else ("violation" if r.code in violations else "")
        code = "" if r.code is None else str(r.code)
        name = r.name if r.what == "event" else f"decided: {r.name}"
        detail = json.dumps(r.detail, indent=1, ensure_ascii=False, default=str)
        cause = r.detail.get("cause")
        said = escape(r.text) + (
            f"<div class=muted>{escape(str(cause))}</div>" if cause and cause != r.text else ""
        )
        out.append(f'<tr class="{cls}" title="{escape(_when(r.t))}"><td>{_since(review, r.t)}</td>'
                   f"<td>{escape(name)}</td><td>{code}</td><td>{said}<details>"
                   f"<summary class=muted>detail</summary><pre>{escape(detail)}</pre></details>"
                   f"</td><td>{''.join(_figure(p) for p in r.photos)}</td></tr>")  # fmt: skip
    return "".join(out) + "</table>"


def _figure(photo: Photo) -> str:
    caption = escape(photo.id) + (f" · sha256 {photo.sha256[:16]}…" if photo.sha256 else "")
    if photo.data_uri is None:
        missing = escape(photo.missing)
        return f"<figure><figcaption class=missing>{caption}: {missing}</figcaption></figure>"
    return (f'<figure><img class=evidence alt="{escape(photo.id)}" src="{photo.data_uri}">'
            f"<figcaption>{caption}</figcaption></figure>")  # fmt: skip


def _setup(meta: dict[str, Any]) -> str:
    found = meta.get("seb")
    seb: dict[str, Any] = found if isinstance(found, dict) else {}
    unsafe = meta.get("unsafe_engine_settings") or []
    unsupported = seb.get("unsupported") or []
    engine = f"QtWebEngine {meta.get('qtwebengine')}, Chromium {meta.get('chromium')}"
    rows = [
        ("kiosk", meta.get("kiosk_version")),
        ("web engine", engine if meta.get("qtwebengine") else None),
        ("camera", meta.get("camera")),
        ("microphone", meta.get("microphone")),
        ("fullscreen", meta.get("fullscreen")),
        ("launched from", seb.get("source") or "its address"),
        ("Config Key", seb.get("config_key")),
        ("unsupported .seb keys", ", ".join(map(str, unsupported)) or "none"),
        ("unsafe settings", ", ".join(map(str, unsafe)) or "none"),
        ("reported to", meta.get("report_lrs") or "no LRS"),
        ("ended", meta.get("ended")),
    ]
    cells = "".join(
        f'<tr><th>{escape(k)}</th><td id="setup-{k.replace(" ", "-").replace(".", "")}">'
        f"{escape(str(v))}</td></tr>"
        for k, v in rows
        if v not in (None, "")
    )
    return f"<table id=setup>{cells}</table>"
