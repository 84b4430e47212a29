"""Quick fixes through the real server: offered on the diagnostic, resolved lazily, applied the way a
client applies them, and the diagnostics clear (here and in the other open file)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from lsprotocol import types

from tests.server.harness import CLIENTS, Editor, apply_workspace_edit
from tests.server.test_lsp import IO_JS, ROOMS_JS, write


def read_uri(uri: str) -> str:
    return Path(unquote(urlparse(uri).path)).read_text()


async def actions_for(
    editor: Editor, name: str, diagnostic: types.Diagnostic, only=None
) -> list[types.CodeAction]:
    return await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri(name)),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=only),
        )
    )


@pytest.mark.parametrize("client", CLIENTS)
async def test_redis_adapter_quick_fix_clears_both_files(editor_factory, tmp_path: Path, client: str) -> None:
    write(tmp_path, {"package.json": '{\n  "name": "chat",\n  "dependencies": {\n    "socket.io": "^4.8.1"\n  }\n}\n',
                     "io.js": IO_JS, "rooms.js": ROOMS_JS})  # fmt: skip
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    editor.open("io.js")
    editor.open("rooms.js")
    (server,) = await editor.diagnostics("io.js", until=lambda d: len(d) == 1)
    await editor.diagnostics("rooms.js", until=lambda d: len(d) == 1)
    actions = await actions_for(editor, "io.js", server)
    titles = [a.title for a in actions]
    assert titles[0] == "Add the Socket.IO Redis adapter (@socket.io/redis-adapter)"
    assert actions[0].is_preferred and actions[0].kind == "quickfix.hscale"
    assert "Declare this project single-instance in .hscale.toml" in titles
    assert any(t.startswith("Suppress subscriptions-in-memory") for t in titles)
    action = actions[0]
    if action.edit is None:  # both clients resolve edits lazily
        action = await editor.client.code_action_resolve_async(action)
    assert action.edit is not None
    current = {editor.uri("io.js"): IO_JS}
    changed = apply_workspace_edit(
        action.edit, editor.encoding, lambda uri: current.get(uri) or read_uri(uri)
    )
    new_io = changed[editor.uri("io.js")]
    assert 'import { createAdapter } from "@socket.io/redis-adapter";' in new_io
    assert (
        "await Promise.all([pubClient.connect(), subClient.connect()]);" not in new_io
    )  # no "type": "module"
    assert "io.adapter(createAdapter(pubClient, subClient));" in new_io
    package = json.loads(changed[editor.uri("package.json")])
    assert package["dependencies"] == {
        "socket.io": "^4.8.1",
        "@socket.io/redis-adapter": "^8.3.0",
        "redis": "^5.8.0",
    }
    editor.change("io.js", types.TextDocumentContentChangeWholeDocument(text=new_io))
    await editor.diagnostics("io.js", until=lambda d: d == [])
    await editor.diagnostics("rooms.js", until=lambda d: d == [])


async def test_suppression_action_edits_the_line_above(editor_factory, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": "{}",
            "io.js": IO_JS,
            "rooms.js": "// 👋\n" + ROOMS_JS.replace("const rooms", "\tconst rooms"),
        },
    )
    editor: Editor = await editor_factory("vscode")
    await editor.start(init_options={"debounceMs": 0})
    editor.open("rooms.js")
    (diagnostic,) = await editor.diagnostics("rooms.js", until=lambda d: len(d) == 1)
    actions = await actions_for(editor, "rooms.js", diagnostic)
    suppress = next(a for a in actions if a.title.startswith("Suppress"))
    suppress = await editor.client.code_action_resolve_async(suppress)
    text = (tmp_path / "rooms.js").read_text()
    new = apply_workspace_edit(suppress.edit, editor.encoding, lambda uri: text)[editor.uri("rooms.js")]
    assert (
        "\t// hscale-ignore subscriptions-in-memory -- explain why this state may stay in memory\n\tconst rooms"
        in new
    )
    editor.change("rooms.js", types.TextDocumentContentChangeWholeDocument(text=new))
    await editor.diagnostics("rooms.js", until=lambda d: d == [])


async def test_fix_all_applies_every_safe_fix_of_the_document(editor_factory, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "python-socketio\n", "app.py": (
        "import socketio\n\nsio = socketio.AsyncServer(\n    async_mode='asgi',\n)\nusers = {}\n\n\n"
        "@sio.event\nasync def connect(sid, environ):\n    users[sid] = 1\n    await sio.enter_room(sid, 'lobby')\n")})  # fmt: skip
    editor: Editor = await editor_factory("vscode")
    await editor.start(init_options={"debounceMs": 0})
    editor.open("app.py")
    found = await editor.diagnostics("app.py", until=lambda d: len(d) == 2)
    actions = await actions_for(editor, "app.py", found[0], only=["source.fixAll.hscale"])
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.hscale"
    changed = apply_workspace_edit(fix_all.edit, editor.encoding, read_uri)
    app = changed[editor.uri("app.py")]
    assert (
        "    client_manager=socketio.AsyncRedisManager(os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379/0')),\n)"
        in app
    )
    assert app.startswith("import os\nimport socketio\n")
    assert changed[editor.uri("requirements.txt")] == "python-socketio\nredis>=5.0\n"


async def test_history_offers_the_projects_database_before_a_redis_stream(
    editor_factory, tmp_path: Path
) -> None:
    example = Path(__file__).parents[2] / "examples" / "python-socketio-sqlalchemy"
    write(tmp_path, {p.name: p.read_text() for p in example.iterdir() if p.is_file()})
    editor: Editor = await editor_factory("neovim")
    await editor.start(init_options={"debounceMs": 0})
    editor.open("app.py")
    (history,) = await editor.diagnostics("app.py", until=lambda d: len(d) == 1)
    actions = await actions_for(editor, "app.py", history)
    titles = [a.title for a in actions]
    assert titles[0] == (
        "Keep `recent_messages` in the database through `Message` (saved on send, read back on join)"
        " (unsafe: rewrites code)"
    )
    assert titles[1].startswith("Keep `recent_messages` in a Redis Stream")
    action = actions[0] if actions[0].edit else await editor.client.code_action_resolve_async(actions[0])
    text = (tmp_path / "app.py").read_text()
    fixed = apply_workspace_edit(action.edit, editor.encoding, lambda uri: text)[editor.uri("app.py")]
    assert "run_in_executor(recent_messages_writer, save_recent_messages, entry)\n" in fixed
    editor.change("app.py", types.TextDocumentContentChangeWholeDocument(text=fixed))
    await editor.diagnostics("app.py", until=lambda d: d == [])
