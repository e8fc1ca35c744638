"""Helpers and unknown clients of the exam's display."""

from __future__ import annotations

from dataclasses import dataclass

from policies.display_clients import decide_setup, helper_of


@dataclass(frozen=True)
class Client:
    pid: int | None
    names: tuple[str, ...]

    def as_detail(self) -> dict[str, object]:
        name = self.names[0] if self.names else "a client with no local process"
        return {"client": "0x400000", "name": name, "pid": self.pid}


def test_helpers_are_told_apart_and_the_rest_is_unknown() -> None:
    kiosk = {100, 101}
    assert helper_of(Client(101, ("QtWebEngineProc",)), kiosk, [], []) == "the kiosk"
    assert helper_of(Client(5, ("openbox",)), kiosk, [], []) == "window manager"
    assert helper_of(Client(6, ("ibus-x11",)), kiosk, [], []) == "input method"
    assert helper_of(Client(7, ("orca", "python3")), kiosk, ["orca"], []) == "assistive technology"
    assert helper_of(Client(8, ("xdotool",)), kiosk, ["orca"], []) is None
    assert helper_of(Client(8, ("xdotool",)), kiosk, [], ["xdotool"]) == "permitted"
    assert helper_of(Client(None, ()), kiosk, [], ["xdotool"]) is None  # over the network


def test_block_refuses_setup_naming_the_unknown_and_warn_lists_them() -> None:
    helpers = [(Client(5, ("openbox",)), "window manager")]
    unknown = [Client(8, ("x11vnc",)), Client(None, ())]
    refused = decide_setup(helpers, unknown, "block")
    assert not refused.proceed
    assert refused.why == ("other programs are on the exam's display: x11vnc (pid 8), "
                           "a client with no local process")  # fmt: skip
    listed = decide_setup(helpers, unknown, "warn")
    assert listed.proceed and listed.checks["displayClients"] == {
        "helpers": ["openbox (window manager)"],
        "unknown": ["x11vnc (pid 8)", "a client with no local process"],
    }
    assert decide_setup(helpers, unknown, "off").checks == {"displayClients": "not checked"}
    assert decide_setup(helpers, [], "block").proceed


def test_a_program_with_several_connections_is_named_once() -> None:
    python = Client(20757, ("python",))
    listed = decide_setup([], [python, python, Client(9, ("xdotool",)), python], "block")
    assert listed.checks["displayClients"]["unknown"] == [  # type: ignore[index]
        "python (pid 20757)",
        "xdotool (pid 9)",
    ]
    assert (
        listed.why
        == "other programs are on the exam's display: python (pid 20757), xdotool (pid 9)"
    )
