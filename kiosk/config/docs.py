"""Generates docs/configuration.md from the configuration models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from kiosk.config.settings import KioskConfig
from policies.trust import DEFAULT_WEIGHTS


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        ann: Any = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel) and name != "weights":
            rows += _rows(ann, f"{key}.")
            continue
        default = field.get_default(call_default_factory=True)
        if isinstance(default, BaseModel | dict):
            default = "see below"
        shown = "" if default is None else f"`{default!r}`".replace("|", "\\|")
        rows.append(f"| `{key}` | {shown} | {field.description or ''} |")
    return rows


def render() -> str:
    lines = [
        "# Configuration",
        "",
        "Generated from `kiosk/config/settings.py` by `python -m kiosk.config.docs`; do not edit "
        "by hand.",
        "",
        "A TOML file given with `--config FILE`. Unknown keys and wrong types are errors (exit 2).",
        "Command-line options override the file. Tracking option names are AutoProctor's.",
        "",
        "| key | default | meaning |",
        "|---|---|---|",
        *_rows(KioskConfig, ""),
        "",
        "## Trust-score weights",
        "",
        'Per violation code, as `[trust_score.weights."5005"]` with `per_event`, `per_minute` and',
        "`max_penalty`; codes you leave out keep these defaults. See docs/trust-score.md.",
        "",
        "| code | per_event | per_minute | max_penalty |",
        "|---|---|---|---|",
    ]
    for code, w in DEFAULT_WEIGHTS.items():
        lines.append(f"| {code} | {w.per_event:g} | {w.per_minute:g} | {w.max_penalty:g} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
