"""The test provisioning: an interrupted install is never taken for a complete one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import provision
from tests.conftest import ROOT


def test_an_install_that_raised_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "tools"

    def interrupted(into: Path) -> None:
        (into / "node_modules").mkdir()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        provision.install_once(folder, "tools", interrupted)
    assert not folder.exists()


def test_a_folder_without_its_marker_is_installed_again_from_empty(tmp_path: Path) -> None:
    folder = tmp_path / "tools"
    # what a killed npm install leaves: both paths the old check looked for, and no marker
    (folder / "node_modules" / ".bin").mkdir(parents=True)
    (folder / "node_modules" / ".bin" / "code-server").write_text("half")
    (folder / "node_modules" / "playwright-core").mkdir()
    seen: list[list[str]] = []

    def install(into: Path) -> None:
        seen.append(sorted(p.name for p in into.iterdir()))
        (into / "done").write_text("yes")

    provision.install_once(folder, "tools", install)
    assert seen == [[]]
    assert (folder / "done").read_text() == "yes"
    assert (folder / provision.MARKER).is_file()


def test_a_finished_install_is_not_run_again(tmp_path: Path) -> None:
    folder = tmp_path / "tools"
    runs: list[Path] = []
    provision.install_once(folder, "tools", runs.append)
    provision.install_once(folder, "tools", runs.append)
    assert runs == [folder]


def test_an_unknown_step_is_refused_with_the_list_of_steps() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.provision", "chrome"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "unknown step chrome" in done.stderr and "apt, node, vscode, extension, neovim" in done.stderr
