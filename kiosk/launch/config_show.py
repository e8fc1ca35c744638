"""``kiosk config show``: the configuration a run would use, each value with its source."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from kiosk.config.layers import as_text
from kiosk.launch.resolve import layered
from kiosk.launch.seb_inspect import terminal_password


def show(args: argparse.Namespace) -> str:
    ask, _ = terminal_password()  # asked only for an encrypted .seb TARGET
    layers = layered(args, ask).layers
    rows = layers.rows()
    if args.json:
        return json.dumps([asdict(r) for r in rows], ensure_ascii=False)
    found = layers.managed.files
    where = ", ".join(map(str, found)) if found else "none"
    return f"managed policy: {where}\n{as_text(rows)}"
