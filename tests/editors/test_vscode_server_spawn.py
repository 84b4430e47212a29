"""The VS Code extension starts the language server, and probes that hscale-ls is installed, without the
workspace on Python's import path: a workspace `argparse.py`, `json.py`, `logging.py` or `hscale_ls.py`
never runs. The command, arguments, environment and working directory are the ones the extension's own
built module computes (tests/editors/vscode/spawn.mjs), and the real server is started with them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.server.harness import Editor, start_client_as

EXTENSION = ROOT / "editors" / "vscode"
SPAWN = ROOT / "tests" / "editors" / "vscode" / "spawn.mjs"
# modules the server imports at start
SHADOWED = ("argparse", "json", "logging")
# a workspace module of a standard name: leaves a marker, then hands over to the real module so that
# the server keeps working and the test can say which workspace modules ran
SHADOW = """
import importlib, os, sys
open({marker!r}, "w").close()
_folder, _path = os.path.dirname(os.path.abspath(__file__)), sys.path[:]
sys.path[:] = [entry for entry in _path if os.path.abspath(entry or ".") != _folder]
del sys.modules[__name__]
try:
    sys.modules[__name__] = importlib.import_module(__name__)
finally:
    sys.path[:] = _path
"""


@pytest.fixture(scope="module")
def extension_module() -> Path:
    """editors/vscode/out, built from the extension's sources (npm ci first where it never ran)."""
    if not (EXTENSION / "node_modules" / ".bin" / "esbuild").exists():
        installed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=EXTENSION,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert installed.returncode == 0, installed.stderr
    built = subprocess.run(
        ["npm", "run", "--silent", "build:test"], cwd=EXTENSION, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return EXTENSION / "out"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A Socket.IO project whose folder also holds modules that leave a marker when imported."""
    folder = tmp_path / "workspace"
    shutil.copytree(EXAMPLES / "python-socketio-memory", folder)
    (tmp_path / "markers").mkdir()
    for name in SHADOWED:
        shadow(folder, name)
    return folder


def shadow(workspace: Path, name: str) -> None:
    (workspace / f"{name}.py").write_text(SHADOW.format(marker=str(workspace.parent / "markers" / name)))


def imported_from(workspace: Path) -> list[str]:
    return sorted(p.name for p in (workspace.parent / "markers").iterdir())


def computed(extension_module: Path, workspace: Path, what: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(SPAWN), str(extension_module), sys.executable, str(EXTENSION), str(workspace), what],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    spawn: dict[str, Any] = json.loads(done.stdout)
    return spawn


def test_the_markers_catch_a_workspace_on_the_import_path(workspace: Path) -> None:
    shadow(workspace, "hscale_ls")
    imports = "import argparse, json, logging, hscale_ls; argparse.ArgumentParser; json.dumps; hscale_ls.__version__"
    subprocess.run([sys.executable, "-c", imports], cwd=workspace, check=True)
    assert imported_from(workspace) == ["argparse", "hscale_ls", "json", "logging"]


@pytest.mark.timeout(1260)  # a first `npm ci` on a machine whose npm cache is empty
async def test_the_server_the_extension_starts_runs_no_workspace_module(
    extension_module: Path, workspace: Path
) -> None:
    spawn = computed(extension_module, workspace, "server")
    client = await start_client_as([spawn["command"], *spawn["args"]], cwd=spawn["cwd"], env=spawn["env"])
    editor = Editor(client, workspace, "vscode")
    try:
        await editor.start(init_options={"debounceMs": 0})
        assert imported_from(workspace) == []
        editor.open("app.py")
        found = await editor.diagnostics("app.py", until=lambda d: len(d) >= 1)
        assert {d.source for d in found} == {"hscale"}, "the workspace is still analysed"
    finally:
        await client.shutdown_session()
        await client.stop()
    assert imported_from(workspace) == []


@pytest.mark.timeout(1260)
def test_the_install_probe_runs_no_workspace_module(extension_module: Path, workspace: Path) -> None:
    shadow(workspace, "hscale_ls")
    spawn = computed(extension_module, workspace, "probe")
    probed = subprocess.run(
        [spawn["command"], *spawn["args"]],
        cwd=spawn["cwd"],
        env=spawn["env"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probed.returncode == 0, probed.stderr
    assert imported_from(workspace) == []
