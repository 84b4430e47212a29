"""Every way a source file is read from disk (the CLI's scan, the server's index, watched-file events)
is bounded: FIFOs never block, links out of the workspace are not followed, the size limit applies,
deep trees are skipped with their reason instead of holding the scan or the server for minutes, and a
NUL in a string literal does not make a file binary."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from lsprotocol import types

from hscale_ls.analysis.engine import read_facts
from hscale_ls.analysis.workspace import Skipped
from tests.conftest import run_cli
from tests.hardening import scale
from tests.server.harness import Editor

SERVER_JS = (
    'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'
    "const users = new Map();\nio.on('connection', (s) => users.set(s.id, 1));\n"
)


def nested_calls(size: int) -> str:
    """`x.a(b).a(b)...`: a chain of calls nested one in the other (each call is the next one's callee)."""
    return "x" + ".a(b)" * (size // 5) + ";\n"


def arrow_chain(size: int) -> str:
    """A promise chain of arrow functions."""
    return "x" + ".then((r) => r)" * (size // 15) + ";\n"


def bundle(size: int) -> bytes:
    """A minified bundle on one line."""
    return b"var a=" + b"[1,2,3]," * (size // 8) + b"0;"


def project(root: Path) -> Path:
    root.mkdir()
    (root / "package.json").write_text("{}")
    (root / "server.js").write_text(SERVER_JS)
    return root


def watched(editor: Editor, name: str) -> None:
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=editor.uri(name), type=types.FileChangeType.Created)]
        )
    )


def logged(editor: Editor, *parts: str) -> bool:
    return any(all(p in m.message for p in parts) for m in editor.client.log_messages)


@pytest.mark.timeout(scale.timeout(60, 1200))
def test_cli_skips_deeply_nested_files_and_says_why(tmp_path: Path) -> None:
    root = project(tmp_path / "app")
    (root / "calls.js").write_text(nested_calls(scale.size(60_000, 600_000)))
    (root / "arrows.js").write_text(arrow_chain(scale.size(40_000, 400_000)))
    result = run_cli("check", str(root), "--format", "json", "--no-cache")
    assert result.code == 1, result.stderr  # the rest of the project is still analysed
    reasons = {Path(s["path"]).name: s["reason"] for s in result.json()["skipped"]}
    assert reasons["calls.js"] == "nested more than 500 levels deep"
    assert reasons["arrows.js"] == "nested more than 500 levels deep"
    assert "skipped" in result.stderr and "nested more than 500 levels deep" in result.stderr
    assert {Path(f["path"]).name for f in result.json()["findings"]} == {"server.js"}


def test_a_nul_in_a_string_literal_does_not_make_a_file_binary(tmp_path: Path) -> None:
    root = project(tmp_path / "app")
    (root / "server.js").write_bytes(b"const SEPARATOR = '\x00';\n" + SERVER_JS.encode())
    (root / "blob.js").write_bytes(b"const a = 1;\x00\x00\x00binary")  # mostly control bytes
    result = run_cli("check", str(root), "--format", "json", "--no-cache")
    assert result.code == 1, result.stderr
    data = result.json()
    assert {Path(f["path"]).name for f in data["findings"]} == {"server.js"}
    reasons = {Path(s["path"]).name: s["reason"] for s in data["skipped"]}
    assert reasons == {"blob.js": "binary content"}


def test_reading_a_fifo_never_blocks(tmp_path: Path) -> None:
    """A FIFO swapped in for a source file between the walk and the read (the CLI's workers read what
    the walk listed) is skipped at once, not read until a writer comes."""
    fifo = tmp_path / "pipe.js"
    os.mkfifo(fifo)
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(read_facts(str(fifo))), daemon=True)
    reader.start()
    reader.join(10)
    blocked = reader.is_alive()
    if blocked:  # let the old reader go: opening the write end releases it
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
    assert not blocked, "reading a FIFO blocked"
    assert found == [Skipped(str(fifo), "not a regular file")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_cli_reports_an_unreadable_folder(tmp_path: Path) -> None:
    root = project(tmp_path / "app")
    locked = root / "handlers"
    locked.mkdir()
    (locked / "rooms.js").write_text(SERVER_JS)
    locked.chmod(0)
    try:
        result = run_cli("check", str(root), "--format", "json", "--no-cache")
    finally:
        locked.chmod(0o755)
    reasons = {Path(s["path"]).name: s["reason"] for s in result.json()["skipped"]}
    assert reasons["handlers"].startswith("cannot be read")
    assert "skipped" in result.stderr and "handlers" in result.stderr


def test_cli_reports_a_folder_it_cannot_open(tmp_path: Path) -> None:
    """A folder whose path is longer than the system allows cannot be listed (as root too): it is
    reported like an unreadable one, not dropped without a word."""
    root = project(tmp_path / "app")
    previous = os.getcwd()
    os.chdir(root)
    try:
        for _ in range(20):  # 20 x 250 characters: past PATH_MAX, made one relative step at a time
            os.mkdir("d" * 250)
            os.chdir("d" * 250)
        Path("rooms.js").write_text(SERVER_JS)
    finally:
        os.chdir(previous)
    result = run_cli("check", str(root), "--format", "json", "--no-cache")
    assert result.code == 1, result.stderr
    reasons = [s["reason"] for s in result.json()["skipped"]]
    assert any(r.startswith("cannot be read") for r in reasons), reasons
    assert "skipped" in result.stderr and "cannot be read" in result.stderr


@pytest.mark.timeout(scale.timeout(90, 1800))
async def test_server_watched_files_are_bounded(editor_factory, tmp_path: Path) -> None:
    """Through watched-file events: a multi-MB bundle over hscale.maxFileBytes, a deep chain of calls,
    a FIFO and a link out of the workspace are each skipped with a log line; the server keeps
    answering and the linked file's findings never appear."""
    outside = tmp_path / "outside.js"
    outside.write_text(SERVER_JS.replace("users", "onlineUsers"))
    root = project(tmp_path / "app")
    editor: Editor = await editor_factory("vscode-pull", root=root)
    await editor.start(init_options={"debounceMs": 0})
    editor.open("server.js")
    await editor.diagnostics("server.js", until=lambda d: len(d) > 0)
    (root / "bundle.js").write_bytes(bundle(scale.size(3_000_000, 30_000_000)))
    (root / "calls.js").write_text(nested_calls(scale.size(60_000, 600_000)))
    os.mkfifo(root / "pipe.js")
    (root / "escape.js").symlink_to(outside)
    for name in ("bundle.js", "calls.js", "pipe.js", "escape.js"):
        watched(editor, name)
    await editor.wait_for(lambda: logged(editor, "not analysing", "bundle.js: larger than 2,000,000 bytes"))
    await editor.wait_for(lambda: logged(editor, "not analysing", "calls.js: nested more than 500"))
    await editor.wait_for(lambda: logged(editor, "not analysing", "pipe.js: not a regular file"))
    await editor.wait_for(
        lambda: logged(editor, "not analysing", "escape.js: symbolic link to a file outside")
    )
    report = await editor.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    with_findings = {Path(r.uri).name for r in report.items if getattr(r, "items", None)}
    assert with_findings == {"server.js"}
