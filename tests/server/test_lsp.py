"""The language server end to end: the real `hscale-ls serve` process over stdio, driven with the
capabilities of VS Code and Neovim (and a current VS Code that pulls diagnostics)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types

from tests.server.harness import CLIENTS, Editor

IO_JS = 'import { Server } from "socket.io";\nexport const io = new Server(3000);\n'
ADAPTER_LINES = (
    'import { createAdapter } from "@socket.io/redis-adapter";\nio.adapter(createAdapter(pub, sub));\n'
)
ROOMS_JS = (
    'import { io } from "./io.js";\n'
    "const rooms = new Map();\n"
    'io.on("connection", (socket) => {\n'
    '  socket.on("join", (room) => rooms.set(room, socket.id) && socket.join(room));\n'
    "});\n"
)
CHAT_JS = (
    'import { io } from "./io.js";\n'
    "/* 👋 café */ const onlineUsers = new Map();\n"
    "const messages = [];\n"
    'io.on("connection", (socket) => {\n'
    "  onlineUsers.set(socket.id, socket.handshake.auth.name);\n"
    '  socket.on("message", (m) => messages.push(m));\n'
    "});\n"
)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def shape(diagnostics: list[types.Diagnostic]) -> list[tuple[object, ...]]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.code,
            d.message,
        )
        for d in diagnostics
    )


@pytest.fixture
def chat_app(tmp_path: Path) -> Path:
    write(tmp_path, {"package.json": "{}", "io.js": IO_JS, "rooms.js": ROOMS_JS, "chat.js": CHAT_JS})
    return tmp_path


@pytest.mark.parametrize("client", [*CLIENTS, "vscode-pull"])
async def test_open_document_gets_diagnostics_with_rule_details(
    editor_factory, chat_app: Path, client: str
) -> None:
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    editor.open("chat.js")
    found = await editor.diagnostics("chat.js", until=lambda d: len(d) == 2, version=1)
    presence = next(d for d in found if d.code == "presence-in-memory")
    assert presence.source == "hscale"
    assert presence.severity == types.DiagnosticSeverity.Warning
    assert "`onlineUsers`" in presence.message and "presence" in presence.message
    assert "second instance" in presence.message
    assert presence.code_description is not None and presence.code_description.href.endswith(
        "#presence-in-memory"
    )
    assert presence.data["rule"] == "presence-in-memory" and presence.data["name"] == "onlineUsers"
    related = presence.related_information or []
    assert any(r.location.uri == editor.uri("chat.js") and r.location.range.start.line == 4 for r in related)
    # across files: the related information points at the server construction in io.js
    assert any(r.location.uri == editor.uri("io.js") for r in related)


@pytest.mark.parametrize("client", CLIENTS)
async def test_columns_follow_the_negotiated_position_encoding(
    editor_factory, chat_app: Path, client: str
) -> None:
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    editor.open("chat.js")
    found = await editor.diagnostics("chat.js", until=lambda d: len(d) == 2)
    presence = next(d for d in found if d.code == "presence-in-memory")
    prefix = "/* 👋 café */ const "
    expected = {
        "utf-16": len(prefix.encode("utf-16-le")) // 2,
        "utf-8": len(prefix.encode()),
        "utf-32": len(prefix),
    }[editor.encoding]
    assert editor.encoding == ("utf-16" if client == "vscode" else "utf-8")
    assert (presence.range.start.line, presence.range.start.character) == (1, expected)
    assert presence.range.end.character - presence.range.start.character == len("onlineUsers")


@pytest.mark.parametrize("client", CLIENTS)
async def test_incremental_edits_give_the_same_diagnostics_as_a_fresh_open(
    editor_factory, chat_app: Path, client: str
) -> None:
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    editor.open("chat.js")
    await editor.diagnostics("chat.js", until=lambda d: len(d) == 2)

    def at(line: int, character: int) -> types.Position:
        return types.Position(line=line, character=character)

    def edit(start: types.Position, end: types.Position, text: str) -> types.TextDocumentContentChangePartial:
        return types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=text)

    emoji_width = 2 if editor.encoding == "utf-16" else 4 if editor.encoding == "utf-8" else 1
    accent = 2 if editor.encoding == "utf-8" else 1
    after_cafe = 3 + emoji_width + 1 + 3 + accent  # "/* 👋 café" in the negotiated unit
    # type a word inside the comment, after non-ASCII text
    editor.change("chat.js", edit(at(1, after_cafe), at(1, after_cafe), " ☕ ok"))
    # insert lines above (a paste of several lines) and a CRLF line
    editor.change("chat.js", edit(at(0, 0), at(0, 0), "// header 🚀\r\nconst typingUsers = new Set();\n"))
    # delete the history line, then type a new container and its handler write, two changes in one notification
    last = editor.change(
        "chat.js",
        edit(at(4, 0), at(5, 0), ""),
        edit(at(4, 0), at(4, 0), 'const history = [];\nio.on("x", (s) => history.push(s));\n'),
    )
    edited = await editor.diagnostics(
        "chat.js", version=last, until=lambda d: "history-in-memory" in codes(d)
    )

    fresh: Editor = await editor_factory(client)
    await fresh.start(init_options={"debounceMs": 0})
    text = "// header 🚀\r\nconst typingUsers = new Set();\n" + CHAT_JS.replace(
        "café */", "café ☕ ok */"
    ).replace("const messages = [];\n", 'const history = [];\nio.on("x", (s) => history.push(s));\n')
    fresh.open("chat.js", text)
    expected = await fresh.diagnostics("chat.js", until=lambda d: len(d) == len(edited))
    assert shape(edited) == shape(expected)
    assert "history-in-memory" in codes(edited) and "presence-in-memory" in codes(edited)


@pytest.mark.parametrize("client", [*CLIENTS, "vscode-pull"])
async def test_adding_the_adapter_in_another_file_clears_the_open_document(
    editor_factory, chat_app: Path, client: str
) -> None:
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    editor.open("io.js")
    editor.open("rooms.js")
    await editor.diagnostics("rooms.js", until=lambda d: codes(d) == ["subscriptions-in-memory"])
    await editor.diagnostics("io.js", until=lambda d: codes(d) == ["subscriptions-in-memory"])
    refreshes = editor.client.diagnostic_refresh_count
    end = types.Position(line=2, character=0)
    editor.change(
        "io.js",
        types.TextDocumentContentChangePartial(range=types.Range(start=end, end=end), text=ADAPTER_LINES),
    )
    await editor.diagnostics("io.js", until=lambda d: d == [])
    await editor.diagnostics("rooms.js", until=lambda d: d == [])
    if editor.pulls:
        assert editor.client.diagnostic_refresh_count > refreshes


@pytest.mark.parametrize("client", CLIENTS)
async def test_a_watched_file_change_on_disk_updates_open_documents(
    editor_factory, chat_app: Path, client: str
) -> None:
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    editor.open("rooms.js")
    await editor.diagnostics("rooms.js", until=lambda d: codes(d) == ["subscriptions-in-memory"])
    write(chat_app, {"adapter.js": 'import { io } from "./io.js";\n' + ADAPTER_LINES})
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=editor.uri("adapter.js"), type=types.FileChangeType.Created)]
        )
    )
    await editor.diagnostics("rooms.js", until=lambda d: d == [])


async def test_a_config_file_change_is_picked_up(editor_factory, chat_app: Path) -> None:
    editor: Editor = await editor_factory("vscode")
    await editor.start(init_options={"debounceMs": 0})
    editor.open("chat.js")
    await editor.diagnostics("chat.js", until=lambda d: len(d) == 2)
    write(chat_app, {".hscale.toml": 'ignore = ["history-in-memory"]\n'})
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=editor.uri(".hscale.toml"), type=types.FileChangeType.Created)]
        )
    )
    await editor.diagnostics("chat.js", until=lambda d: codes(d) == ["presence-in-memory"])


async def test_pull_diagnostics_report_unchanged_by_result_id(editor_factory, chat_app: Path) -> None:
    editor: Editor = await editor_factory("vscode-pull")
    await editor.start()
    assert editor.result is not None and editor.result.capabilities.diagnostic_provider is not None
    uri = editor.open("chat.js")
    params = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    first = await editor.client.text_document_diagnostic_async(params)
    assert first.kind == "full" and len(first.items) == 2 and first.result_id
    params.previous_result_id = first.result_id
    second = await editor.client.text_document_diagnostic_async(params)
    assert second.kind == "unchanged" and second.result_id == first.result_id
    assert editor.client.pushed == {}, "a pulling client is never pushed to"


async def test_push_clients_are_not_offered_pull(editor_factory, chat_app: Path) -> None:
    editor: Editor = await editor_factory("neovim")
    await editor.start()
    assert editor.result is not None and editor.result.capabilities.diagnostic_provider is None


async def test_workspace_diagnostics_cover_files_that_are_not_open(editor_factory, chat_app: Path) -> None:
    write(chat_app, {"node_modules/x/index.js": CHAT_JS, "chat.test.js": CHAT_JS})
    editor: Editor = await editor_factory("vscode-pull")
    await editor.start()
    report = await editor.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    by_uri = {item.uri: item for item in report.items}
    assert set(by_uri) == {editor.uri(n) for n in ("io.js", "rooms.js", "chat.js")}
    assert codes(by_uri[editor.uri("chat.js")].items) == ["history-in-memory", "presence-in-memory"]
    assert by_uri[editor.uri("chat.js")].version is None
    previous = [types.PreviousResultId(uri=u, value=i.result_id) for u, i in by_uri.items()]
    again = await editor.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=previous)
    )
    assert {item.kind for item in again.items} == {"unchanged"}


@pytest.mark.parametrize("client", CLIENTS)
async def test_settings_from_the_client_and_their_changes(
    editor_factory, chat_app: Path, client: str
) -> None:
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0}, settings={"severity": "error", "debounceMs": 0})
    editor.open("chat.js")
    found = await editor.diagnostics(
        "chat.js", until=lambda d: len(d) == 2 and d[0].severity == types.DiagnosticSeverity.Error
    )
    assert {d.severity for d in found} == {types.DiagnosticSeverity.Error}
    editor.client.set_configuration(
        {"severity": {"presence-in-memory": "hint"}, "ignore": ["history-in-memory"], "debounceMs": 0},
        section="hscale",
    )
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    found = await editor.diagnostics("chat.js", until=lambda d: codes(d) == ["presence-in-memory"])
    assert found[0].severity == types.DiagnosticSeverity.Hint


async def test_initialization_options_apply_when_the_client_has_no_settings(
    editor_factory, chat_app: Path
) -> None:
    editor: Editor = await editor_factory("neovim")
    await editor.start(
        init_options={"debounceMs": 0, "severity": "information", "ignore": ["presence-in-memory"]}
    )
    editor.open("chat.js")
    found = await editor.diagnostics("chat.js", until=lambda d: codes(d) == ["history-in-memory"])
    assert found[0].severity == types.DiagnosticSeverity.Information


async def test_an_invalid_setting_warns_once_naming_the_key_and_defaults_apply(
    editor_factory, chat_app: Path
) -> None:
    editor: Editor = await editor_factory("vscode")
    await editor.start(settings={"debounceMs": "soon", "severity": "loud", "run": "sometimes", "bogus": 1})
    editor.open("chat.js")
    found = await editor.diagnostics("chat.js", until=lambda d: len(d) == 2)
    assert {d.severity for d in found} == {types.DiagnosticSeverity.Warning}
    await editor.wait_for(lambda: len(editor.client.messages) >= 4)
    warnings = [m.message for m in editor.client.messages if m.type == types.MessageType.Warning]
    for key in ("hscale.debounceMs", "`severity`", "hscale.run", "hscale.bogus"):
        assert sum(key in m for m in warnings) == 1, (key, warnings)


async def test_indexing_reports_progress(editor_factory, chat_app: Path) -> None:
    for index in range(30):
        write(chat_app, {f"lib/mod{index}.js": f"export const x{index} = {index};\n"})
    editor: Editor = await editor_factory("vscode")
    await editor.start()
    await editor.wait_for(lambda: any(
        any(isinstance(v, types.WorkDoneProgressEnd) for v in values) for values in editor.client.progress_reports.values()
    ))  # fmt: skip
    (values,) = editor.client.progress_reports.values()
    assert isinstance(values[0], types.WorkDoneProgressBegin)
    assert any(
        isinstance(v, types.WorkDoneProgressReport) and "/33 files" in (v.message or "") for v in values
    )
    assert "33 files" in (values[-1].message or "")


@pytest.mark.parametrize("client", CLIENTS)
async def test_hover_code_lens_and_audit_command(editor_factory, chat_app: Path, client: str) -> None:
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    uri = editor.open("chat.js")
    found = await editor.diagnostics("chat.js", until=lambda d: len(d) == 2)
    presence = next(d for d in found if d.code == "presence-in-memory")
    hover = await editor.client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=presence.range.start)
    )
    assert hover is not None and "Why it breaks at scale" in hover.contents.value
    assert "horizontal-scaling-ready: fail" in hover.contents.value
    nothing = await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0)
        )
    )
    assert nothing is None
    io_uri = editor.open("io.js")
    lenses = await editor.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=io_uri))
    )
    assert [lens.command.title for lens in lenses] == [
        "horizontal-scaling-ready: fail - 0 of 3 state types in a shared backend"
    ]
    assert lenses[0].command.command == "hscale.audit"
    audit = await editor.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="hscale.audit", arguments=lenses[0].command.arguments)
    )
    assert audit["verdict"] == "fail" and audit["check"] == "horizontal-scaling-ready"
    assert set(audit["memory_state_types"]) == {"presence", "subscriptions", "history"}
    assert json.dumps(audit)


@pytest.mark.parametrize("client", CLIENTS)
async def test_hover_shows_what_each_fix_leaves_to_do(editor_factory, chat_app: Path, client: str) -> None:
    # a fix's note (what it does not do) has no place in a code action; hover is shown by every client
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    uri = editor.open("chat.js")
    found = await editor.diagnostics("chat.js", until=lambda d: len(d) == 2)
    presence = next(d for d in found if d.code == "presence-in-memory")
    hover = await editor.client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=presence.range.start)
    )
    assert hover is not None
    (fix,) = [line for line in hover.contents.value.splitlines() if "ZRANGEBYSCORE <key>" in line]
    assert fix.startswith("**Fix: Also keep `onlineUsers` in a Redis sorted set with heartbeat scores")
    assert "a crashed instance's users age out" in fix


async def test_debounced_typing_never_publishes_a_stale_version(editor_factory, chat_app: Path) -> None:
    editor: Editor = await editor_factory("vscode")
    await editor.start(settings={"debounceMs": 50})
    editor.open("chat.js")
    await editor.diagnostics("chat.js", version=1)
    end = types.Position(line=7, character=0)
    for letter in "const typingUsers = new Set(); io.on('t', (n) => typingUsers.add(n));\n":
        version = editor.change(
            "chat.js",
            types.TextDocumentContentChangePartial(range=types.Range(start=end, end=end), text=letter),
        )
        end = (
            types.Position(line=end.line, character=end.character + 1)
            if letter != "\n"
            else types.Position(line=end.line + 1, character=0)
        )
    final = await editor.diagnostics("chat.js", version=version, until=lambda d: len(d) == 3)
    versions = [v for v, _ in editor.client.pushed[editor.uri("chat.js")]]
    assert versions == sorted(versions), versions
    assert len(versions) < 20, "typing is debounced, not analysed per keystroke"
    assert "presence-in-memory" in codes(final)


async def test_run_on_save_and_enable(editor_factory, chat_app: Path) -> None:
    editor: Editor = await editor_factory("vscode")
    await editor.start(settings={"run": "onSave", "debounceMs": 0})
    uri = editor.open("chat.js")
    await editor.diagnostics("chat.js", version=1, until=lambda d: len(d) == 2)
    start = types.Position(line=2, character=0)
    typed = editor.change(
        "chat.js",
        types.TextDocumentContentChangePartial(range=types.Range(start=start, end=start), text="// x\n"),
    )
    version = editor.change(
        "chat.js",
        types.TextDocumentContentChangePartial(
            range=types.Range(start=start, end=types.Position(line=4, character=0)), text=""
        ),
    )
    editor.client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await editor.diagnostics("chat.js", version=version, until=lambda d: codes(d) == ["presence-in-memory"])
    assert typed not in [v for v, _ in editor.client.pushed[uri]], "nothing is published while typing"

    editor.client.set_configuration({"enable": False}, section="hscale")
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await editor.diagnostics("chat.js", until=lambda d: d == [])


async def test_bad_messages_do_not_stop_the_server(editor_factory, chat_app: Path) -> None:
    editor: Editor = await editor_factory("vscode")
    await editor.start(init_options={"debounceMs": 0})
    editor.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=editor.uri("never-opened.js"), version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x")],
        )
    )
    uri = editor.open("chat.js", "const ((( = ;\n\x00 unterminated `template")
    await editor.diagnostics("chat.js", version=1, until=lambda d: d == [])
    far = types.Position(line=99, character=99)
    editor.change(
        "chat.js", types.TextDocumentContentChangePartial(range=types.Range(start=far, end=far), text=CHAT_JS)
    )
    await editor.diagnostics("chat.js", version=2, until=lambda d: len(d) == 2)
    hover = await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=500, character=0),
        )
    )
    assert hover is None


async def test_workspace_folders_added_later_are_indexed(editor_factory, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write(first, {"package.json": "{}", "io.js": IO_JS})
    write(second, {"package.json": "{}", "io.js": IO_JS, "chat.js": CHAT_JS})
    editor: Editor = await editor_factory("vscode-pull", root=first)
    await editor.start(folders=[first])
    report = await editor.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    assert {Path(i.uri).name for i in report.items} == {"io.js"}
    editor.client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=second.as_uri(), name="second")],
                removed=[types.WorkspaceFolder(uri=first.as_uri(), name="first")],
            )
        )
    )

    async def uris() -> set[str]:
        report = await editor.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        return {i.uri for i in report.items}

    expected = {(second / n).as_uri() for n in ("io.js", "chat.js")}
    for _ in range(200):
        if await uris() == expected:
            break
    assert await uris() == expected


async def test_server_logs_reach_the_client_not_stdout(editor_factory, chat_app: Path) -> None:
    editor: Editor = await editor_factory("vscode")
    await editor.start()
    await editor.wait_for(lambda: any("indexed" in m.message for m in editor.client.log_messages))
    # anything printed on stdout would have broken the JSON-RPC stream and failed this request
    lenses = await editor.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=editor.uri("io.js")))
    )
    assert len(lenses) == 1  # io.js is not open: the lens comes from the workspace index
