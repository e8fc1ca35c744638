"""[computer]: what the kiosk looks for on the computer around the exam, and what it does.

Its own module, beside settings.py's sections: the checks of the computer (a virtual machine,
a remote session, prohibited programs) are one concern, set by the managed policy, a
configuration file or a ``.seb`` (kiosk/launch/seb/translate.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.processes import ASSISTIVE_TOOLS

Level = Literal["block", "warn", "off"]


class ComputerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    virtual_machine: Level = Field(
        "warn",
        description="The exam in a virtual machine or a container (4101 under block, 5103 "
        "when monitoring starts under warn; off: only recorded). Every finding cites the files "
        "behind it (docs/computer.md). A .seb's allowVirtualMachine=false is block.",
    )
    allowed_virtual_machines: list[str] = Field(
        default_factory=list,
        description='Names of findings let through all the same and recorded (e.g. "KVM", '
        '"docker"), for a school whose exam computers are virtual.',
    )
    remote_session: Level = Field(
        "block",
        description="The display is not this computer's screen (X over SSH, xrdp) or a remote "
        "control program runs (VNC servers, TeamViewer, AnyDesk, RustDesk...): 4102 at setup "
        "under block, 5104 under warn and whenever one starts during the exam.",
    )
    prohibited_processes: Level = Field(
        "block",
        description="Programs not allowed during the exam (screen recorders, messengers, "
        "browser automation, the lists below): setup fails with 4103 naming what to close "
        "(block), or goes on (warn); one started during the exam is 5105 (block and warn).",
    )
    end_prohibited_processes: bool = Field(
        False,
        description="End a prohibited program started during the exam (only the student's own "
        "programs; never another user's). A .seb's monitorProcesses=true sets it.",
    )
    default_prohibited: bool = Field(
        True, description="Use the kiosk's maintained list of prohibited programs."
    )
    prohibited: list[str] = Field(
        default_factory=list,
        description="More programs that are not allowed, by name (a .seb's "
        'prohibitedProcesses: "TeamViewer.exe" finds teamviewer).',
    )
    permitted: list[str] = Field(
        default_factory=list,
        description="Programs that are never prohibited, whatever a list says (a .seb's "
        "permittedProcesses).",
    )
    unknown_display_clients: Level = Field(
        "warn",
        description="Programs connected to the exam's X display other than the kiosk, the "
        "window manager, input methods, the desktop's pieces and assistive tools (any X client "
        "can read the screen and type): listed in 2001's checks; 4104 at setup under block "
        "(the kiosk alone on its display, as in its own session); 5106 when one connects during "
        "the exam (block and warn).",
    )
    permitted_display_clients: list[str] = Field(
        default_factory=list, description="Programs that may be on the exam's display."
    )
    assistive_tools: list[str] = Field(
        default_factory=lambda: list(ASSISTIVE_TOOLS),
        description="Assistive technology (screen readers, magnifiers, on-screen keyboards): "
        "never prohibited, never an unknown client of the display.",
    )
