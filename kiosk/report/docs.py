"""Generates docs/xapi.md from the statement mapping: ``python -m kiosk.report.docs``."""

from __future__ import annotations

from kiosk.report.photos import USAGE
from kiosk.report.signing import SIGNATURE
from kiosk.report.statements import DECIDED, EXT, NS, mapping


def render() -> str:
    lines = [
        "# What the learning record store receives (xAPI 1.0.3)",
        "",
        "Generated from `kiosk/report/statements.py` by `python -m kiosk.report.docs`; do not",
        "edit by hand.",
        "",
        "With `[report] lrs` set (docs/configuration.md), every event and every decision the",
        "session record holds becomes one statement, sent to `<lrs>statements` in the order it was",
        "recorded. The project's verbs and extensions live under one IRI namespace, kept stable:",
        f"`{NS}`.",
        "",
        "## Every statement",
        "",
        "| property | value |",
        "|---|---|",
        "| `id` | UUID 5 of the session's registration and the record row (`event/12`, "
        "`decision/3`): a resend is the same statement, and an LRS keeps one |",
        "| `actor` | an `account`: `homePage` the exam's origin, `name` the page's `testAttemptId`"
        " (else `hashedTestAttemptId`, else `session:<registration>`); nothing else of the "
        "student |",
        "| `object` | the exam (its address without query or fragment), type "
        "`http://adlnet.gov/expapi/activities/assessment` |",
        "| `context.registration` | the session: a random UUID its record keeps |",
        "| `context.platform` | `kiosk <version>` |",
        "| `timestamp` | when the record says it happened (UTC, milliseconds) |",
        "",
        "## Extensions",
        "",
        "| extension | in | holds |",
        "|---|---|---|",
        f"| `{EXT['event']}` | result | the DOM event name |",
        f"| `{EXT['code']}` | result | the success, error or evidence code |",
        f"| `{EXT['reason']}` | result | which of a code's two cases |",
        f"| `{EXT['message']}` | result | the message the page received |",
        f"| `{EXT['detail']}` | result | the event's whole `detail`, as the page received it |",
        f"| `{EXT['policy']}` | result | a decision's policy (new_window, download, quit...) |",
        f"| `{EXT['decision']}` | result | what it decided |",
        f"| `{EXT['sequence']}` | context | the record row, `event/N` or `decision/N` |",
        f"| `{EXT['session']}` | context | the session folder's name on the kiosk |",
        f"| `{SIGNATURE}` | context | the statement's signature (below) |",
        "",
        "## Signed statements",
        "",
        "Each statement is signed with a key of the installation (RSA 2048, made on first use and",
        "kept in the OS keyring as `report-signing-key`; `kiosk report key` prints its public",
        "half for the school to pin): a JWS in compact form, `alg` RS256, `kid` the first 32 hex",
        "digits of the SHA-256 of the public key. Its payload is the statement without the",
        "signature extension, as JSON with sorted keys and no spaces. xAPI 1.0.3 carries the JWS",
        "as a `signature` attachment in a multipart request; LRSs without attachments (Ralph)",
        "refuse those, so the kiosk carries it in the extension instead. `kiosk report verify",
        "SESSION` fetches the session's statements (by registration) and checks each against the",
        "key (the LRS's own `stored`, `authority` and `version` aside) and against the record:",
        "missing, doubled, unsigned, altered and foreign statements are named. Without a keyring",
        "the statements are sent unsigned, and the session's record says so.",
        "",
        "## Evidence photos",
        "",
        "An xAPI attachment goes in a multipart request, and Ralph, like other LRSs that store",
        "JSON only, refuses those. So each photo an event took (its detail's `photo` or",
        "`screenshot`) is sent as a **SHA-256 reference**: the statement's",
        f"`{EXT['evidence']}` extension lists one object per photo, with the fields of an xAPI",
        f"attachment (`usageType` `{USAGE}`, `contentType` `image/jpeg`, `length`, `sha2`), the",
        "photo's `id` and `kind`, and the detail key that named it. The photo itself stays on the",
        "kiosk in the session folder (`kiosk report show` puts it beside its event) until",
        "retention deletes it, after its statement was confirmed; whoever holds a copy can prove",
        "it is the one the kiosk took. The photo's local path is left out of the detail (it names",
        "the student's home folder); its `sha2` is put there instead. A photo no longer on the",
        "kiosk when its statement is built is said so in `missing`, never guessed.",
        "",
        "## Verbs",
        "",
        f"Decisions: `{DECIDED.iri}`. Events:",
        "",
        "| event | code | reason | verb |",
        "|---|---|---|---|",
    ]
    for spec, verb in mapping():
        code = "" if spec.code is None else str(spec.code)
        lines.append(f"| `{spec.name}` | {code} | {spec.reason or ''} | `{verb.iri}` |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
