"""Hostile files never crash the CLI or the server: what cannot be analysed is skipped with a reason."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import run_cli
from tests.server.harness import Editor

SERVER_JS = 'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'


def hostile_tree(root: Path, outside: Path) -> Path:
    root.mkdir()
    (root / "package.json").write_text("{}")
    (root / "server.js").write_text(
        SERVER_JS + "const users = new Map();\nio.on('c', (s) => users.set(s.id, 1));\n"
    )
    (root / "invalid-utf8.js").write_bytes(
        b"const caf\xe9 = '\xff\xfe';\nconst rooms = new Map();\nio.on('x', (s) => rooms.set(1, s.id));\n"
    )
    (root / "nul.js").write_bytes(b"const a = 1;\x00\x00\x00binary")
    (root / "bundle.js").write_bytes(b"var a=" + b"[1,2,3]," * 700_000 + b"0;")  # 5.6 MB, minified
    (root / "deep.js").write_text("const x = " + "[" * 10_000 + "]" * 10_000 + ";\n")
    (root / "one-line.js").write_text("const values = [" + ",".join(str(i) for i in range(150_000)) + "];\n")
    (root / "binary.py").write_bytes(bytes(range(256)) * 64)
    (root / "empty.ts").write_text("")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "escape.js").symlink_to(outside)
    (root / "missing.js").symlink_to(root / "does-not-exist.js")
    os.mkfifo(root / "pipe.js")
    return root


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    outside = tmp_path / "outside.js"
    outside.write_text("const onlineUsers = new Map();\nio.on('c', (s) => onlineUsers.set(s.id, 1));\n")
    return hostile_tree(tmp_path / "project", outside)


def test_cli_reports_what_it_skipped_and_why(hostile: Path) -> None:
    result = run_cli("check", str(hostile), "--format", "json", "--no-cache")
    assert result.code == 1, result.stderr  # findings, not an error
    assert "Traceback" not in result.stderr
    data = result.json()
    reasons = {Path(s["path"]).name: s["reason"] for s in data["skipped"]}
    assert reasons["nul.js"] == "binary content"
    assert reasons["binary.py"] == "binary content"
    assert reasons["bundle.js"].startswith("larger than")
    assert reasons["escape.js"] == "symbolic link to a file outside the scanned folder"
    assert reasons["missing.js"].startswith("cannot be read")
    assert reasons["pipe.js"] == "not a regular file"
    flagged = {Path(f["path"]).name for f in data["findings"]}
    assert "outside.js" not in json.dumps(data) and "escape.js" not in flagged
    assert {"server.js", "invalid-utf8.js"} <= flagged
    assert "skipped" in result.stderr and "binary content" in result.stderr


def test_cli_audit_on_hostile_tree(hostile: Path) -> None:
    result = run_cli("audit", str(hostile), "--format", "json", "--no-cache")
    assert result.code == 1 and result.json()["verdict"] == "fail"


async def test_server_survives_hostile_documents(editor_factory, hostile: Path) -> None:
    editor: Editor = await editor_factory("vscode", root=hostile)
    await editor.start(init_options={"debounceMs": 0, "maxFileBytes": 3_000_000})
    for name in ("deep.js", "one-line.js", "empty.ts", "invalid-utf8.js"):
        text = (hostile / name).read_bytes().decode("utf-8", errors="replace")
        editor.open(name, text)
    editor.open("bundle.js", (hostile / "bundle.js").read_text())  # over maxFileBytes: not analysed
    editor.open("lone-surrogate.js", "const s = '\ud800';\nconst users = new Map();\n")
    await editor.diagnostics(
        "invalid-utf8.js", until=lambda d: any(x.code == "subscriptions-in-memory" for x in d)
    )
    await editor.wait_for(
        lambda: any(
            "not analysing" in m.message and "bundle.js" in m.message for m in editor.client.log_messages
        )
    )
    await editor.wait_for(
        lambda: any(
            "not analysing" in m.message and "pipe.js: not a regular file" in m.message
            for m in editor.client.log_messages
        )
    )
    hover = await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri("deep.js")),
            position=types.Position(line=0, character=10),
        )
    )
    assert hover is None  # the server still answers
