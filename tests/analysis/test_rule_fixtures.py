"""Every rule's fixture folder: flagged cases match their reviewed snapshot, clean cases have no findings.

Snapshots live next to the fixtures (`findings.snap.json`). After a deliberate change, regenerate them
with `HSCALE_UPDATE_SNAPSHOTS=1 pytest tests/analysis/test_rule_fixtures.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hscale_ls.analysis.engine import scan
from tests.conftest import FIXTURES

RULE_FOLDERS = ["presence-in-memory", "subscriptions-in-memory", "history-in-memory", "not-flagged"]
CASES = [
    (rule, case.name)
    for rule in RULE_FOLDERS
    for case in sorted((FIXTURES / rule).iterdir())
    if case.is_dir()
]


def describe(case_dir: Path) -> list[str]:
    result = scan([str(case_dir)], cwd=str(case_dir), jobs=1)
    return [
        f"{os.path.relpath(f.path, case_dir)}:{f.span.start.line + 1}:{f.span.start.char + 1} {f.rule} {f.name}"
        for f in result.findings
    ]


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_fixture_matches_snapshot(rule: str, case: str) -> None:
    snapshot_path = FIXTURES / rule / "findings.snap.json"
    found = describe(FIXTURES / rule / case)
    if os.environ.get("HSCALE_UPDATE_SNAPSHOTS"):
        snapshot = json.loads(snapshot_path.read_text()) if snapshot_path.exists() else {}
        snapshot[case] = found
        snapshot_path.write_text(json.dumps(dict(sorted(snapshot.items())), indent=2) + "\n")
    expected = json.loads(snapshot_path.read_text())[case]
    assert found == expected


@pytest.mark.parametrize(
    ("rule", "case"), [c for c in CASES if c[1].startswith("clean") or c[0] == "not-flagged"]
)
def test_clean_cases_have_no_findings(rule: str, case: str) -> None:
    assert describe(FIXTURES / rule / case) == []


@pytest.mark.parametrize(("rule", "case"), [c for c in CASES if c[1].startswith("flagged")])
def test_flagged_cases_report_their_rule(rule: str, case: str) -> None:
    found = describe(FIXTURES / rule / case)
    assert any(f" {rule} " in line for line in found), found


def test_every_rule_has_flagged_and_clean_cases_in_each_language() -> None:
    for rule in RULE_FOLDERS[:3]:
        names = {case for r, case in CASES if r == rule}
        for variant in ("flagged", "clean"):
            for language in ("js", "ts", "py"):
                assert f"{variant}-{language}" in names, f"{rule} lacks {variant}-{language}"
