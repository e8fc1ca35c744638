"""New windows and downloads: there are no tabs or other windows in an exam.

A page may ask for a new window (``window.open``, ``target=_blank``, a script-opened popup);
following Safe Exam Browser's ``newBrowserWindowByLinkPolicy`` the request is either refused
(``block``) or opened in the exam window itself (``same_window``). Every kind of window Qt can
ask for must be decided here; an unknown kind is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NewWindowPolicy = Literal["block", "same_window"]

#: Qt's QWebEnginePage.WebWindowType members, by name; a test checks this covers the enum.
WINDOW_KINDS = frozenset(
    {"WebBrowserWindow", "WebBrowserTab", "WebDialog", "WebBrowserBackgroundTab"}
)


@dataclass(frozen=True)
class WindowDecision:
    kind: str
    open_in_place: bool  # False: refused

    @property
    def action(self) -> str:
        return "opened in the exam window" if self.open_in_place else "refused"


def decide_new_window(kind: str, policy: NewWindowPolicy) -> WindowDecision:
    if kind not in WINDOW_KINDS:
        return WindowDecision(kind, open_in_place=False)
    return WindowDecision(kind, open_in_place=policy == "same_window")


def decide_download(allowed: bool) -> bool:
    """Downloads leave the exam (a file on disk, another program to open it): off by default."""
    return allowed
