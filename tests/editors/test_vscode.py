"""The VS Code extension: its unit tests and type check, and the end-to-end run in the real VS Code
workbench (code-server + Chromium; see tests/editors/vscode/run.sh)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXTENSION = ROOT / "editors" / "vscode"


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


# the global 120 s timeout would cut npm off on a machine whose npm cache is empty
@pytest.mark.timeout(1260)
def test_extension_unit_tests_and_type_check() -> None:
    installed = run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=EXTENSION, timeout=600)
    assert installed.returncode == 0, installed.stderr
    typecheck = run(["npm", "run", "--silent", "typecheck"], cwd=EXTENSION, timeout=300)
    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    unit = run(["npm", "test", "--silent"], cwd=EXTENSION, timeout=300)
    assert unit.returncode == 0 and "# fail 0" in unit.stdout, unit.stdout + unit.stderr


@pytest.mark.timeout(1000)  # above run.sh's own limit, which covers a first install of its tools
def test_quick_fix_in_the_real_vscode_workbench() -> None:
    done = run(
        ["timeout", "900", "bash", str(ROOT / "tests" / "editors" / "vscode" / "run.sh")],
        env={**os.environ, "HSCALE_PY": sys.executable},
        timeout=960,
    )
    assert done.returncode == 0 and done.stdout.rstrip().endswith("PASS"), (
        done.stdout[-3000:] + done.stderr[-3000:]
    )
    for step in ("diagnostic in the Problems panel", "quick fix chosen", "saved to disk", "diagnostic gone"):
        assert step in done.stdout
