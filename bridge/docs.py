"""Generates docs/events.md from the catalogue: ``python -m bridge.docs > docs/events.md``."""

from __future__ import annotations

from bridge.catalogue import CATALOGUE, EventSpec, Kind


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
        lines += [f"## {kind.value.capitalize()} events", ""]
        lines += _table([s for s in CATALOGUE if s.kind is kind and not s.extension])
    lines += [
        "## Kiosk extensions",
        "",
        "Not in AutoProctor's table. A regular extension is recorded in the session record like",
        "every event (and sent on from there), never dispatched to the exam page. A custom one",
        "has a code in the kiosk's own ranges (41xx for setup errors, 51xx for evidence during",
        "the exam) and reaches the page as any custom event; a page written for AutoProctor that",
        "knows nothing of it ignores it.",
        "",
    ]
    lines += _table([s for s in CATALOGUE if s.extension])
    return "\n".join(lines)


def _table(specs: list[EventSpec]) -> list[str]:
    lines = ["| event | code | reason | message | fires when (in kiosk) | violation |"]
    lines += ["|---|---|---|---|---|---|"]
    for s in specs:
        name = s.name + "".join(f" / {a}" for a in s.aliases)
        lines.append(
            f"| `{name}` | {s.code or ''} | {s.reason or ''} | {_cell(s.message)} "
            f"| {_cell(s.fires_when)} | {'yes' if s.violation else ''} |"
        )
    lines.append("")
    return lines


if __name__ == "__main__":
    print(render(), end="")
