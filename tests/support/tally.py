"""The escape-attempt tally, printed at the end of the run (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Tally:
    attempts: list[str] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)

    def record(self, name: str, escaped: bool) -> None:
        self.attempts.append(name)
        if escaped:
            self.escapes.append(name)

    def summary(self) -> str:
        line = f"escape attempts: {len(self.attempts)}, escapes: {len(self.escapes)}"
        return line + (f" ({', '.join(self.escapes)})" if self.escapes else "")


ESCAPES = Tally()
