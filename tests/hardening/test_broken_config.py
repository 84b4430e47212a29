"""A broken configuration file affects only its own project: it is reported once, naming the file,
its project gets the defaults, and every other project is analysed as usual (CLI and server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import run_cli
from tests.hardening import scale
from tests.server.harness import Editor

SERVER_JS = (
    'const { Server } = require("socket.io");\nconst io = new Server(3000); io.emit("ready");\n'
    'const users = new Map();\nio.on("connection", (s) => users.set(s.id, 1));\n'
)
DEPTH = scale.size(100_000, 2_000_000)  # far past any parser's recursion limit
BROKEN = {
    "tool-not-a-table/pyproject.toml": 'tool = "oops"\n',
    "deep-json/package.json": '{"hscale": ' + "[" * DEPTH + "]" * DEPTH + "}",
    "deep-toml/.hscale.toml": "severity = " + "[" * DEPTH + "]" * DEPTH + "\n",
    "deep-value/package.json": '{"hscale": {"severity": {"presence-in-memory": '
    + "[" * 900
    + "]" * 900
    + "}}}",
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "healthy").mkdir(parents=True)
    (root / "healthy" / "package.json").write_text("{}")
    (root / "healthy" / "server.js").write_text(SERVER_JS)
    for name, text in BROKEN.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        (path.parent / "server.js").write_text(SERVER_JS)
    return root


@pytest.mark.parametrize("command", ["check", "audit"])
def test_cli_reports_each_broken_file_once_and_scans_every_project(workspace: Path, command: str) -> None:
    result = run_cli(command, ".", "--format", "json", "--no-cache", cwd=workspace)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.code == 2  # a configuration error
    for name in BROKEN:
        assert result.stderr.count(f"{name}:") == 1, (name, result.stderr[:3000])
    assert len(result.stderr) < 5000  # a deep value is quoted short, not echoed whole
    data = result.json()
    if command == "check":
        projects = {f["path"].split("/")[0] for f in data["findings"]}
        assert projects == {"healthy", *(name.split("/")[0] for name in BROKEN)}
        assert {f["severity"] for f in data["findings"]} == {"warning"}  # the defaults
    else:
        assert len(data["projects"]) == 1 + len(BROKEN)


async def test_server_indexes_the_other_projects_and_warns_once_per_file(
    editor_factory, workspace: Path
) -> None:
    editor: Editor = await editor_factory("vscode", root=workspace)
    await editor.start(init_options={"debounceMs": 0})
    await editor.wait_for(lambda: any("indexed" in m.message for m in editor.client.log_messages))
    for project in ("healthy", *(name.split("/")[0] for name in BROKEN)):
        editor.open(f"{project}/server.js")
        found = await editor.diagnostics(f"{project}/server.js", until=lambda d: len(d) == 2)
        assert {d.severity for d in found} == {types.DiagnosticSeverity.Warning}
    indexed = next(m.message for m in editor.client.log_messages if "indexed" in m.message)
    assert indexed.startswith(f"indexed {1 + len(BROKEN)} files"), indexed
    await editor.wait_for(lambda: len(editor.client.messages) >= len(BROKEN))
    warnings = [m.message for m in editor.client.messages if m.type == types.MessageType.Warning]
    for name in BROKEN:
        assert sum(name in m for m in warnings) == 1, (name, warnings)
