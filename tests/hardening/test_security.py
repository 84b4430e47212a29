"""The server and the CLI never run workspace code, never reach the network, read nothing outside
the workspace and write nothing but the edits the user applies (or --fix)."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from lsprotocol import types

from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.server.harness import Editor

NO_NETWORK = """
import socket
_real_connect, _real_bind = socket.socket.connect, socket.socket.bind
def _connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        open(__import__("os").environ["HSCALE_NETWORK_LOG"], "a").write(f"connect {address}\\n")
        raise RuntimeError("network access refused by the test")
    return _real_connect(self, address)
def _bind(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        open(__import__("os").environ["HSCALE_NETWORK_LOG"], "a").write(f"bind {address}\\n")
        raise RuntimeError("network access refused by the test")
    return _real_bind(self, address)
socket.socket.connect = _connect
socket.socket.bind = _bind
"""
TRAP_PY = "open(__import__('os').environ['HSCALE_TRAP'], 'w').write('python ran')\nimport socketio\nsio = socketio.Server()\nusers = {}\n"
TRAP_JS = "require('fs').writeFileSync(process.env.HSCALE_TRAP, 'node ran');\nconst { Server } = require('socket.io');\nconst io = new Server(1); io.emit('ready');\n"


def digest_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def guarded_env(tmp_path: Path) -> dict[str, str]:
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(NO_NETWORK)
    return {
        "PYTHONPATH": str(hooks),
        "HSCALE_NETWORK_LOG": str(tmp_path / "network.log"),
        "HSCALE_TRAP": str(tmp_path / "trap"),
    }


def test_cli_runs_no_workspace_code_and_uses_no_network(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("python-socketio\n")
    (project / "app.py").write_text(TRAP_PY)
    (project / "conftest.py").write_text(TRAP_PY)
    (project / "server.js").write_text(TRAP_JS)
    (project / "setup.py").write_text(TRAP_PY)
    before = digest_tree(project)
    env = guarded_env(tmp_path)
    for command in (
        ["check", str(project), "--no-cache"],
        ["audit", str(project), "--no-cache"],
        ["check", str(EXAMPLES), "--no-cache"],
    ):
        result = run_cli(*command, env=env)
        assert result.code in {0, 1}, result.stderr
    assert not (tmp_path / "trap").exists(), "workspace code was executed"
    assert not (tmp_path / "network.log").exists(), (tmp_path / "network.log").read_text()
    assert digest_tree(project) == before, "check and audit never write into the workspace"


async def test_server_reads_and_writes_only_what_it_should(tmp_path: Path, monkeypatch) -> None:
    from tests.server.harness import start_client

    for key, value in guarded_env(tmp_path).items():
        monkeypatch.setenv(key, value)  # the server process inherits them
    outside = tmp_path / "secret.js"
    outside.write_text("const onlineUsers = new Map();\nio.on('c', (s) => onlineUsers.set(s.id, 1));\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text("{}")
    (project / "server.js").write_text(
        TRAP_JS + "const rooms = new Map();\nio.on('j', (s) => rooms.set(s.id, 1));\n"
    )
    (project / "app.py").write_text(TRAP_PY)
    (project / "linked.js").symlink_to(outside)
    (project / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    before = digest_tree(project)
    client = await start_client()
    editor = Editor(client, project, "vscode-pull")
    try:
        await editor.start(init_options={"debounceMs": 0})
        report = await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        uris = {item.uri for item in report.items}
        assert uris == {editor.uri("server.js"), editor.uri("app.py")}, uris
        uri = editor.open("server.js")
        found = await editor.diagnostics("server.js", until=lambda d: len(d) >= 1)
        await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=found[0].range,
                context=types.CodeActionContext(diagnostics=found),
            )
        )
    finally:
        await client.shutdown_session()
        await client.stop()
    assert not (tmp_path / "trap").exists()
    assert not (tmp_path / "network.log").exists()
    assert digest_tree(project) == before, "offering fixes writes nothing"


def test_configuration_is_read_with_tomllib_and_json_only() -> None:
    tree = ast.parse((ROOT / "hscale_ls" / "analysis" / "config.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }
    assert imported <= {
        "__future__",
        "json",
        "os",
        "sys",
        "collections",
        "dataclasses",
        "typing",
        "tomllib",
        "tomli",
        "pathspec",
    }
    assert "eval(" not in (ROOT / "hscale_ls" / "analysis" / "config.py").read_text()
