"""The event catalogue against AutoProctor's published event table (the seed), and the docs."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import pytest

import kiosk.config.docs
from bridge import docs
from bridge.catalogue import CATALOGUE, EventSpec, Kind, lookup
from tests.support.paths import DATA, REPO

# AutoProctor's published event table, as handed to the project in shared/seeds; kept in the
# repository so a clean clone can check the catalogue against it.
SEED = DATA / "autoproctor-events.txt"

_SECTIONS = {
    "apSuccessEvent - Success Events": Kind.SUCCESS,
    "apErrorEvent - Error Events": Kind.ERROR,
    "apEvidenceEvent - Evidence Events": Kind.EVIDENCE,
}
_CODE_ROW = re.compile(r"^(\d{4})(\S.*)$")
_REGULAR_ROW = re.compile(r"^(ap[A-Za-z]+)(\..*)$")


@dataclass(frozen=True)
class SeedRow:
    kind: Kind
    code: int | None
    name: str | None
    text: str


def _read_seed() -> list[SeedRow]:
    if not SEED.is_file():
        pytest.fail(
            f"the seed {SEED} is missing: the catalogue cannot be checked against AutoProctor's "
            "event table without it"
        )
    rows: list[SeedRow] = []
    section: Kind | None = None
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if line in _SECTIONS:
            section = _SECTIONS[line]
            continue
        code_row = _CODE_ROW.match(line)
        if code_row and section is not None:
            rows.append(SeedRow(section, int(code_row.group(1)), None, code_row.group(2)))
            continue
        regular = _REGULAR_ROW.match(line)
        if regular and section is None:
            rows.append(SeedRow(Kind.REGULAR, None, regular.group(1), regular.group(2)))
    return rows


@functools.cache
def _seed() -> list[SeedRow]:
    """The parsed seed; called from each test so that a missing seed fails (not errors) it."""
    rows = _read_seed()
    # Guard the parser itself: the seed has 3 regular, 3 success, 17 error, 8 evidence rows.
    kinds = [r.kind for r in rows]
    assert kinds.count(Kind.REGULAR) == 3
    assert kinds.count(Kind.SUCCESS) == 3
    assert kinds.count(Kind.ERROR) == 19  # 4001-4017 plus 4007 and 4008 twice
    assert kinds.count(Kind.EVIDENCE) == 8
    return rows


def _coded(rows: list[SeedRow]) -> dict[int, list[SeedRow]]:
    out: dict[int, list[SeedRow]] = defaultdict(list)
    for row in rows:
        if row.code is not None:
            out[row.code].append(row)
    return out


def _catalogue_by_code() -> dict[int, list[EventSpec]]:
    out: dict[int, list[EventSpec]] = defaultdict(list)
    for spec in CATALOGUE:
        if spec.code is not None:
            out[spec.code].append(spec)
    return out


def test_every_seed_code_is_in_the_catalogue_with_its_kind() -> None:
    seed = _seed()
    for code, rows in _coded(seed).items():
        specs = [s for s in CATALOGUE if s.code == code]
        assert specs, f"seed code {code} is missing from bridge.catalogue.CATALOGUE"
        for spec in specs:
            assert spec.kind is rows[0].kind, f"{code}: kind {spec.kind} != seed {rows[0].kind}"


def test_catalogue_has_no_code_the_seed_lacks_but_the_kiosks_own() -> None:
    seed = _seed()
    own = {s.code for s in CATALOGUE if s.extension and s.code is not None}
    assert own == {4101, 4102, 4103, 4104, 5101, 5102, 5103, 5104, 5105, 5106}
    assert all(c // 100 in (41, 51) for c in own)  # their own ranges, far from the seed's
    assert set(_catalogue_by_code()) - own == set(_coded(seed))


def test_entries_per_code_match_seed_rows() -> None:
    seed = _seed()
    by_code = _catalogue_by_code()
    for code, rows in _coded(seed).items():
        assert len(by_code[code]) == len(rows), f"code {code}"
    assert len(_coded(seed)[4007]) == 2
    assert len(_coded(seed)[4008]) == 2


def test_duplicated_codes_are_told_apart_by_reason() -> None:
    for code in (4007, 4008):
        reasons = [s.reason for s in CATALOGUE if s.code == code]
        assert None not in reasons, f"{code} has an entry without a reason"
        assert len(set(reasons)) == len(reasons) == 2
    for spec in CATALOGUE:
        if spec.code not in (4007, 4008):
            assert spec.reason is None, f"{spec.key} has a reason but its code is not duplicated"


def test_keys_are_unique() -> None:
    keys = [s.key for s in CATALOGUE]
    assert len(keys) == len(set(keys))


def test_seed_text_is_verbatim_in_seed_order() -> None:
    seed = _seed()
    for code, rows in _coded(seed).items():
        specs = [s for s in CATALOGUE if s.code == code]
        assert [s.seed_text for s in specs] == [r.text for r in rows], f"code {code}"


def test_duplicated_code_reasons_follow_the_seed_wording() -> None:
    assert lookup(4007, "not_readable").seed_text == "Audio Not Readable Error in getUserMedia."
    assert lookup(4007, "not_found").seed_text == "Mic Not Found in getUserMedia."
    assert lookup(4008, "not_readable").seed_text == "Video Not Readable Error in getUserMedia."
    assert lookup(4008, "not_found").seed_text == "Camera Not Found in getUserMedia."


def test_regular_events_exist_with_seed_text() -> None:
    seed = _seed()
    regular = {s.name: s for s in CATALOGUE if s.kind is Kind.REGULAR and not s.extension}
    assert set(regular) == {"apSetupComplete", "apMonitoringStarted", "apMonitoringStopped"}
    for row in seed:
        if row.kind is Kind.REGULAR:
            assert row.name is not None
            assert regular[row.name].seed_text == row.text
            assert regular[row.name].code is None


def test_kiosk_extensions_are_marked_and_stay_out_of_the_seeds_names_and_codes() -> None:
    """A regular extension has no code and a name that cannot be taken for one of
    AutoProctor's (ap...); a custom one has a code in the kiosk's own ranges (41xx, 51xx), far
    from every seed code. None has seed text."""
    extensions = [s for s in CATALOGUE if s.extension]
    seed_codes = {row.code for row in _seed() if row.code is not None}
    assert [s.name for s in extensions if s.code is None] == ["kioskEndedAbnormally"]
    for spec in extensions:
        assert spec.seed_text == ""
        if spec.code is None:
            assert spec.kind is Kind.REGULAR and spec.name.startswith("kiosk")
            assert not spec.violation
        else:
            assert spec.kind is not Kind.REGULAR and spec.code not in seed_codes
            assert spec.code // 100 in (41, 51) and spec.code // 1000 == {
                Kind.ERROR: 4, Kind.EVIDENCE: 5}[spec.kind]  # fmt: skip
    assert all(s.seed_text for s in CATALOGUE if not s.extension)


def test_setup_complete_has_its_alias() -> None:
    spec = lookup("apSetupComplete")
    assert spec.aliases == ("apSetupCompleted",)
    assert lookup("apMonitoringStarted").aliases == ()


def test_custom_events_use_the_autoproctor_dom_names() -> None:
    expected = {
        Kind.SUCCESS: "apSuccessEvent",
        Kind.ERROR: "apErrorEvent",
        Kind.EVIDENCE: "apEvidenceEvent",
    }
    for spec in CATALOGUE:
        if spec.kind is not Kind.REGULAR:
            assert spec.name == expected[spec.kind], spec.key


@pytest.mark.parametrize(
    ("code", "field"),
    [(2001, "successCode"), (4001, "errorCode"), (5005, "evidenceCode")],
)
def test_detail_of_custom_events(code: int, field: str) -> None:
    spec = lookup(code)
    detail = spec.detail(1_700_000_000_123, extra="x")
    assert detail == {
        field: code,
        "message": spec.message,
        "timestamp": 1_700_000_000_123,
        "extra": "x",
    }
    assert "reason" not in detail


def test_detail_carries_reason_only_for_duplicated_codes() -> None:
    detail = lookup(4008, "not_found").detail(42)
    assert detail == {
        "errorCode": 4008,
        "message": "The camera was not found",
        "timestamp": 42,
        "reason": "not_found",
    }
    for spec in CATALOGUE:
        has_reason = "reason" in spec.detail(0)
        assert has_reason == (spec.code in (4007, 4008)), spec.key


def test_detail_of_regular_events_has_only_timestamp_and_extras() -> None:
    detail = lookup("apMonitoringStopped").detail(7, trustScore=90)
    assert detail == {"timestamp": 7, "trustScore": 90}


def test_lookup_unknown_raises_key_error() -> None:
    with pytest.raises(KeyError, match="9999"):
        lookup(9999)
    with pytest.raises(KeyError):
        lookup(4007)  # duplicated code: needs a reason
    with pytest.raises(KeyError):
        lookup(4001, "not_found")
    with pytest.raises(KeyError):
        lookup("apNoSuchEvent")


def test_events_doc_is_generated_from_the_catalogue() -> None:
    on_disk = (REPO / "docs/events.md").read_text(encoding="utf-8")
    assert on_disk == docs.render(), "docs/events.md is stale: run `make docs` and commit it"


def test_configuration_doc_is_generated_from_the_models() -> None:
    on_disk = (REPO / "docs/configuration.md").read_text(encoding="utf-8")
    assert on_disk == kiosk.config.docs.render(), (
        "docs/configuration.md is stale: run `make docs` and commit it"
    )
