"""Generates docs/events.md from the catalogue: ``python -m bridge.docs > docs/events.md``."""

from __future__ import annotations

from bridge.catalogue import CATALOGUE, Kind


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    lines = [
        "# Events the exam page receives",
        "",
        "Generated from `bridge/catalogue.py` by `python -m bridge.docs`; do not edit by hand.",
        "",
        "Regular events are dispatched on `window` as `CustomEvent`s named after the event.",
        "Custom events are `apSuccessEvent`, `apErrorEvent` and `apEvidenceEvent`; their `detail`",
        "carries `successCode` / `errorCode` / `evidenceCode`, `message`, `timestamp`",
        "(milliseconds since the Unix epoch) and, where one code has two cases, `reason`.",
        "",
    ]
    for kind in Kind:
        specs = [s for s in CATALOGUE if s.kind is kind]
        lines += [f"## {kind.value.capitalize()} events", ""]
        lines += ["| event | code | reason | message | fires when (in kiosk) | violation |"]
        lines += ["|---|---|---|---|---|---|"]
        for s in specs:
            name = s.name + "".join(f" / {a}" for a in s.aliases)
            lines.append(
                f"| `{name}` | {s.code or ''} | {s.reason or ''} | {_cell(s.message)} "
                f"| {_cell(s.fires_when)} | {'yes' if s.violation else ''} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
