"""Text that is not valid UTF-8 (bytes on disk, a lone surrogate in an editor buffer) never stops a
fix, and a crash of hscale-ls itself exits with a code of its own, never the code for findings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lsprotocol import types

from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.server.harness import Editor, apply_workspace_edit

PRESENCE_TITLE = "Also keep `users` in a Redis sorted set"
HEAD = 'const { Server } = require("socket.io");\nconst io = new Server(3000); io.emit("ready");\nconst users = new Map();\n'


def latin1_project(root: Path) -> Path:
    root.mkdir()
    (root / "package.json").write_text("{}")
    (root / "server.js").write_bytes(
        HEAD.encode() + b'io.on("connection", (s) => {\n  users.set(s.id, "caf\xe9");\n});\n'
    )
    return root


def test_check_json_offers_the_presence_fix_for_a_write_that_is_not_utf8(tmp_path: Path) -> None:
    app = latin1_project(tmp_path / "app")
    result = run_cli("check", ".", "--format", "json", "--no-cache", cwd=app)
    assert "Traceback" not in result.stderr and result.code == 1, result.stderr[-2000:]
    (presence,) = [f for f in result.json()["findings"] if f["rule"] == "presence-in-memory"]
    assert any(title.startswith(PRESENCE_TITLE) for title in presence["fixes"]), presence["fixes"]


def test_diff_and_fix_handle_a_write_that_is_not_utf8(tmp_path: Path) -> None:
    app = latin1_project(tmp_path / "app")
    before = (app / "server.js").read_bytes()
    diff = run_cli("check", ".", "--diff", "--unsafe-fixes", "--no-cache", cwd=app)
    assert "Traceback" not in diff.stderr and diff.code == 1, diff.stderr[-2000:]
    assert "+  trackUsers(s.id, true);" in diff.stdout
    assert (app / "server.js").read_bytes() == before  # --diff writes nothing
    fixed = run_cli("check", ".", "--fix", "--unsafe-fixes", "--no-cache", cwd=app)
    assert "Traceback" not in fixed.stderr and fixed.code in {0, 1}, fixed.stderr[-2000:]
    after = (app / "server.js").read_bytes()
    assert b"trackUsers(s.id, true);" in after
    assert b'users.set(s.id, "caf\xe9");\n' in after  # the bytes that are not UTF-8 stay as they were


def test_a_crash_exits_with_its_own_code_and_one_line(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    # a working folder deleted under a running shell: hscale-ls fails in a way it does not expect
    old = os.getcwd()
    os.chdir(gone)
    try:
        gone.rmdir()
        quiet = run_cli("check", "--no-cache", cwd=".")
        loud = run_cli("check", "--no-cache", cwd=".", env={"HSCALE_TRACEBACK": "1"})
    finally:
        os.chdir(old)
    assert quiet.code == 70 and loud.code == 70, quiet.stderr
    (line,) = quiet.stderr.splitlines()
    assert line.startswith("hscale-ls: internal error (FileNotFoundError")
    assert "https://github.com/hscale-ls/hscale-ls/issues" in line
    assert "Traceback" in loud.stderr and loud.stderr.splitlines()[-1] == line


async def test_code_actions_survive_a_lone_surrogate_in_the_buffer(editor_factory, tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}")
    text = HEAD + 'io.on("connection", (s) => {\n  users.set(s.id, "\ud800");\n});\n'
    editor: Editor = await editor_factory("vscode")
    await editor.start(init_options={"debounceMs": 0})
    editor.open("server.js", text)
    found = await editor.diagnostics("server.js", until=lambda d: len(d) == 2)
    (presence,) = [d for d in found if d.code == "presence-in-memory"]
    actions = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri("server.js")),
            range=presence.range,
            context=types.CodeActionContext(diagnostics=[presence]),
        )
    )
    titles = [a.title for a in actions or []]
    assert any(t.startswith(PRESENCE_TITLE) for t in titles), titles
    fix_all = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri("server.js")),
            range=presence.range,
            context=types.CodeActionContext(diagnostics=found, only=["source.fixAll.hscale"]),
        )
    )
    assert [a.kind for a in fix_all or []] == ["source.fixAll.hscale"]


async def test_fix_all_keeps_a_lone_surrogate_on_a_line_it_rewrites(editor_factory, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("python-socketio\n")
    text = (
        "import socketio\n\nsio = socketio.AsyncServer(async_mode='asgi', cors_allowed_origins='\ud800')\n"
        "users = {}\n\n\n@sio.event\nasync def connect(sid, environ):\n    users[sid] = 1\n"
        "    await sio.emit('joined', sid)\n"
    )
    editor: Editor = await editor_factory("vscode")
    await editor.start(init_options={"debounceMs": 0})
    editor.open("app.py", text)
    found = await editor.diagnostics("app.py", until=lambda d: len(d) == 2)
    actions = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri("app.py")),
            range=found[0].range,
            context=types.CodeActionContext(diagnostics=found, only=["source.fixAll.hscale"]),
        )
    )
    (fix_all,) = actions or []
    changed = apply_workspace_edit(fix_all.edit, editor.encoding, lambda uri: text)
    fixed = changed[editor.uri("app.py")]
    assert "client_manager=socketio.AsyncRedisManager(" in fixed
    assert "cors_allowed_origins='\ud800'" in fixed


def test_a_reader_that_goes_away_is_not_reported_as_a_crash() -> None:
    """`hscale-ls check | head`: the pipe closes before the output is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hscale_ls", "check", str(EXAMPLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "internal error" not in error and "Traceback" not in error, error
