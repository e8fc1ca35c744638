"""Which clients of the exam's display are helpers, and what the others mean.

Any X client can read the exam off the screen and type into it. The kiosk itself (and the
programs it started), the window manager and compositor, input methods, the desktop's own
pieces and permitted assistive tools are helpers; anything else is unknown: listed at setup
(4104 under block, where the kiosk should be alone on its display, as in its own login
session), evidence when it connects during the exam (5106). A client with no local process
came over the network and is never a helper.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Level = Literal["block", "warn", "off"]

UNKNOWN_AT_SETUP = 4104
UNKNOWN_EVIDENCE = 5106

HELPERS: Mapping[str, tuple[str, ...]] = {
    "window manager": (
        "openbox", "mutter", "gnome-shell", "kwin_x11", "xfwm4", "marco", "metacity", "muffin",
        "cinnamon", "i3", "awesome", "bspwm", "fluxbox", "icewm", "jwm", "herbstluftwm", "dwm",
        "xmonad", "enlightenment", "compiz", "budgie-wm", "fvwm", "fvwm3", "lxqt-session",
        "picom", "compton", "xcompmgr",
    ),
    "input method": ("ibus-x11", "ibus-daemon", "ibus-ui-gtk3", "fcitx", "fcitx5", "uim-xim",
                     "scim"),
    "desktop": (
        "plasmashell", "xfce4-panel", "xfdesktop", "xfsettingsd", "xfce4-session",
        "gnome-session-binary", "gsd-xsettings", "gsd-keyboard", "gsd-media-keys", "gsd-power",
        "gsd-color", "gsd-wacom", "lxpanel", "lxsession", "mate-panel", "mate-settings-daemon",
        "cinnamon-session", "nemo-desktop", "xsettingsd", "nm-applet", "xfce4-notifyd",
        "notification-daemon", "dunst", "light-locker", "xscreensaver",
    ),
}  # fmt: skip


class Client(Protocol):
    @property
    def pid(self) -> int | None: ...
    @property
    def names(self) -> tuple[str, ...]: ...
    def as_detail(self) -> dict[str, object]: ...


def helper_of(
    client: Client, kiosk: Iterable[int], assistive: Iterable[str], permitted: Iterable[str]
) -> str | None:
    """What helps the exam as this client (None: unknown). ``kiosk``: the kiosk's pid and its
    descendants'."""
    if client.pid is None:
        return None
    if client.pid in set(kiosk):
        return "the kiosk"
    names = {n.lower() for n in client.names}
    if names & {n.lower() for n in assistive}:
        return "assistive technology"
    if names & {n.lower() for n in permitted}:
        return "permitted"
    for category, known in HELPERS.items():
        if names & set(known):
            return category
    return None


@dataclass(frozen=True)
class ClientsVerdict:
    proceed: bool
    why: str
    checks: dict[str, object]


def decide_setup(
    helpers: Sequence[tuple[Client, str]], unknown: Sequence[Client], level: Level
) -> ClientsVerdict:
    if level == "off":
        return ClientsVerdict(True, "", {"displayClients": "not checked"})
    names = list(dict.fromkeys(_named(c) for c in unknown))  # a client per connection: once
    checks: dict[str, object] = {"displayClients": {
        "helpers": sorted({f"{(c.names or ('?',))[0]} ({what})" for c, what in helpers}),
        "unknown": names,
    }}  # fmt: skip
    if level == "block" and unknown:
        named = ", ".join(names)
        return ClientsVerdict(False, f"other programs are on the exam's display: {named}", checks)
    return ClientsVerdict(True, "", checks)


def _named(client: Client) -> str:
    detail = client.as_detail()
    return f"{detail['name']} (pid {detail['pid']})" if client.pid else str(detail["name"])
