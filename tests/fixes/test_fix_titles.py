"""`check --format json` lists each finding's fix titles without building the fixes: the titles (and
their safety) are exactly those of the fixes `fixes_for` builds, on every example and fixture, and again
after each of its fixes is applied (where builders decline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hscale_ls.analysis.live import LiveWorkspace
from hscale_ls.fixes import fixes_for, titles_for
from hscale_ls.fixes.session import FixSession
from tests.conftest import EXAMPLES, FIXTURES, run_cli

FOLDERS = sorted(
    [p for p in EXAMPLES.iterdir() if p.is_dir()]
    + [case for rule in FIXTURES.iterdir() if rule.is_dir() for case in rule.iterdir() if case.is_dir()]
)


def assert_titles_match(session: FixSession) -> int:
    compared = 0
    for root in session.live.projects():
        for finding in session.live.result(root).findings:
            ctx = session.context(finding)
            built = [(fix.title, fix.safe) for fix in fixes_for(ctx)]
            assert titles_for(ctx) == built, f"{finding.path}: {finding.rule} {finding.name}"
            compared += 1
    return compared


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_titles_equal_the_built_fixes(folder: Path) -> None:
    live = LiveWorkspace()
    live.index_folder(str(folder))
    session = FixSession(live)
    compared = 0
    tried: set[tuple[str, str, str]] = set()
    for _ in range(30):  # after each fix, in memory only: builders decline on code already fixed
        compared += assert_titles_match(session)
        candidates = [
            (key, fix)
            for root in session.live.projects()
            for finding in session.live.result(root).findings
            if (key := (finding.path, finding.rule, finding.name)) not in tried
            for fix in fixes_for(session.context(finding))[:1]
            if fix.kind == "fix"
        ]
        if not candidates:
            break
        key, fix = candidates[0]
        tried.add(key)
        session.apply_fix(fix)
    if folder.name.endswith("-memory") or folder.name.startswith("flagged"):
        assert compared, "a flagged folder has findings to compare"


def test_check_json_lists_the_titles_of_the_fixes() -> None:
    done = run_cli("check", "--no-cache", "--format", "json", "examples/socketio-cjs-memory")
    findings = done.json()["findings"]
    server = next(f for f in findings if f["rule"] == "subscriptions-in-memory")
    assert server["fixes"] == [
        "Add the Socket.IO Redis adapter (@socket.io/redis-adapter)",
        "Suppress subscriptions-in-memory for `io` (with a reason)",
        "Declare this project single-instance in .hscale.toml",
    ]
