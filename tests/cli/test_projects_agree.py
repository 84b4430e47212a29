"""`check`, `check --diff`, `check --fix`, `audit` and the language server evaluate the same project
for the same paths: a Redis adapter set up in another folder of the project covers the server for all
of them, and a sub-project's adapter covers none of its parent's servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import run_cli
from tests.server.harness import Editor

PACKAGE = '{\n  "name": "chat",\n  "dependencies": {\n    "socket.io": "^4.8.1"\n  }\n}\n'
SERVER_JS = (
    'const { Server } = require("socket.io");\n'
    "const io = new Server(3000);\n"
    "const online = new Map();\n"
    'io.on("connection", (socket) => {\n'
    "  online.set(socket.id, socket.handshake.auth.name);\n"
    '  socket.join("lobby");\n'
    '  io.to("lobby").emit("joined", socket.id);\n'
    "});\n"
    "module.exports = { io };\n"
)
ADAPTER_JS = (
    'const { createAdapter } = require("@socket.io/redis-adapter");\n'
    'const { createClient } = require("redis");\n'
    'const { io } = require("../src/server");\n'
    "const pub = createClient();\n"
    "const sub = pub.duplicate();\n"
    "io.adapter(createAdapter(pub, sub));\n"
)
ADAPTER_TITLE = "Add the Socket.IO Redis adapter (@socket.io/redis-adapter)"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def adapters(root: Path) -> int:
    """How many Socket.IO adapters the project's sources set up."""
    return sum(p.read_text().count("io.adapter(") for p in root.rglob("*.js"))


def rules_of(root: Path, *paths: str) -> list[tuple[str, str]]:
    done = run_cli("check", "--no-cache", "--format", "json", *paths, cwd=root)
    assert done.code in (0, 1), done.stderr
    return sorted((f["path"], f["rule"]) for f in done.json()["findings"])


def assert_diff_and_fix(root: Path, paths: tuple[str, ...], fixed: list[str]) -> None:
    """`--diff` proposes the adapter for exactly the servers in `fixed`, and `--fix` applies that."""
    before = snapshot(root)
    diff = run_cli("check", "--no-cache", "--diff", *paths, cwd=root)
    assert snapshot(root) == before, "--diff changes nothing"
    assert diff.stderr.count(f"would apply: {ADAPTER_TITLE}") == len(fixed), diff.stderr
    assert diff.stdout.count("+  io.adapter(createAdapter(pubClient, subClient));") == len(fixed), diff.stdout
    for name in fixed:
        assert f"+++ b/{name}" in diff.stdout
    assert diff.code == (1 if fixed else 0), diff.stderr
    adapters_before = {name: adapters(root / Path(name).parent) for name in fixed}
    done = run_cli("check", "--no-cache", "--fix", *paths, cwd=root)
    assert "Traceback" not in done.stderr
    assert done.stderr.count(f"applied: {ADAPTER_TITLE}") == len(fixed), done.stderr
    if not fixed:
        assert snapshot(root) == before, "nothing to fix: nothing written"
    for name in fixed:
        assert adapters(root / Path(name).parent) == adapters_before[name] + 1
    assert not [rule for _, rule in rules_of(root, *paths) if rule == "subscriptions-in-memory"]


def test_an_adapter_elsewhere_in_the_project_covers_the_server_for_every_command(tmp_path: Path) -> None:
    root = write(
        tmp_path / "chat", {"package.json": PACKAGE, "src/server.js": SERVER_JS, "lib/adapter.js": ADAPTER_JS}
    )
    assert rules_of(root, "src/server.js") == [("src/server.js", "presence-in-memory")]
    assert rules_of(root, ".") == [("src/server.js", "presence-in-memory")]
    audit = run_cli("audit", "--no-cache", "--format", "json", "src/server.js", cwd=root).json()
    assert "subscriptions" not in audit["memory_state_types"]
    assert audit == run_cli("audit", "--no-cache", "--format", "json", ".", cwd=root).json()
    assert_diff_and_fix(root, ("src/server.js",), fixed=[])
    assert adapters(root) == 1


def test_a_project_without_an_adapter_gets_exactly_one_from_every_command(tmp_path: Path) -> None:
    root = write(
        tmp_path / "chat",
        {
            "package.json": PACKAGE,
            "src/server.js": SERVER_JS,
            "lib/util.js": 'const { io } = require("../src/server");\nio.emit("up");\n',
        },
    )
    expected = [("src/server.js", "presence-in-memory"), ("src/server.js", "subscriptions-in-memory")]
    assert rules_of(root, "src/server.js") == expected
    assert rules_of(root, ".") == expected
    audit = run_cli("audit", "--no-cache", "--format", "json", "src/server.js", cwd=root).json()
    assert "subscriptions" in audit["memory_state_types"]
    assert_diff_and_fix(root, ("src/server.js",), fixed=["src/server.js"])
    assert adapters(root) == 1
    assert b"@socket.io/redis-adapter" in (root / "package.json").read_bytes()


def test_a_sub_projects_adapter_does_not_cover_the_parent_projects_server(tmp_path: Path) -> None:
    root = write(
        tmp_path / "mono",
        {
            "package.json": PACKAGE,
            "src/server.js": SERVER_JS,  # the parent project: no adapter
            "apps/chat/package.json": PACKAGE,
            "apps/chat/src/server.js": SERVER_JS,
            "apps/chat/lib/adapter.js": ADAPTER_JS,
        },
    )
    assert rules_of(root, "src/server.js") == [
        ("src/server.js", "presence-in-memory"),
        ("src/server.js", "subscriptions-in-memory"),
    ]
    assert rules_of(root, "apps/chat/src/server.js") == [("apps/chat/src/server.js", "presence-in-memory")]
    assert rules_of(root, ".") == [
        ("apps/chat/src/server.js", "presence-in-memory"),
        ("src/server.js", "presence-in-memory"),
        ("src/server.js", "subscriptions-in-memory"),
    ]
    assert_diff_and_fix(root, ("apps/chat/src/server.js",), fixed=[])
    assert_diff_and_fix(root, ("src/server.js",), fixed=["src/server.js"])
    assert adapters(root / "apps/chat") == 1, "the sub-project is left as it was"


def test_two_files_of_two_projects_are_each_fixed_in_their_own_project(tmp_path: Path) -> None:
    root = write(
        tmp_path / "apps",
        {
            "covered/package.json": PACKAGE,
            "covered/src/server.js": SERVER_JS,
            "covered/lib/adapter.js": ADAPTER_JS,
            "bare/package.json": PACKAGE,
            "bare/src/server.js": SERVER_JS,
        },
    )
    paths = ("covered/src/server.js", "bare/src/server.js")
    assert [r for r in rules_of(root, *paths) if r[1] == "subscriptions-in-memory"] == [
        ("bare/src/server.js", "subscriptions-in-memory")
    ]
    assert_diff_and_fix(root, paths, fixed=["bare/src/server.js"])
    assert adapters(root / "covered") == 1 and adapters(root / "bare") == 1


@pytest.mark.parametrize("adapter", [True, False], ids=["adapter-elsewhere", "no-adapter"])
async def test_the_language_server_sees_the_project_check_sees(
    editor_factory, tmp_path: Path, adapter: bool
) -> None:
    files = {"package.json": PACKAGE, "src/server.js": SERVER_JS}
    if adapter:
        files["lib/adapter.js"] = ADAPTER_JS
    root = write(tmp_path / "chat", files)
    expected = rules_of(root, "src/server.js")
    editor: Editor = await editor_factory("vscode-pull", root)
    await editor.start(init_options={"debounceMs": 0})
    editor.open("src/server.js")
    # pulled diagnostics wait for the workspace index
    found = await editor.diagnostics("src/server.js", until=lambda d: len(d) == len(expected))
    assert sorted(("src/server.js", str(d.code)) for d in found) == expected
    actions = []
    for diagnostic in found:
        actions += await editor.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=editor.uri("src/server.js")),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
    assert [a.title for a in actions].count(ADAPTER_TITLE) == (0 if adapter else 1)
    audit = await editor.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="hscale.audit", arguments=[editor.uri("src/server.js")])
    )
    assert ("subscriptions" in audit["memory_state_types"]) is not adapter
