"""Settings files (Procfile, Compose, Kubernetes, ... : analysis/file_kinds.py) through the real server:
opened, edited and closed like source documents, watched on disk, never mistaken for unopened
documents, and never in the way of the analysis of the project's source files."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.server.harness import Editor
from tests.server.test_lsp import CHAT_JS, IO_JS, ROOMS_JS, write

COMPOSE = "services:\n  web:\n    image: app\n    deploy:\n      replicas: 3 # 👋 rooms are shared\n"


@pytest.fixture
def chat_app(tmp_path: Path) -> Path:
    write(tmp_path, {"package.json": "{}", "io.js": IO_JS, "rooms.js": ROOMS_JS, "chat.js": CHAT_JS,
                     "docker-compose.yml": COMPOSE, "Procfile": "web: node io.js\n"})  # fmt: skip
    return tmp_path


def complaints(editor: Editor) -> list[str]:
    return [
        m.message
        for m in editor.client.log_messages
        if m.type in (types.MessageType.Error, types.MessageType.Warning)
    ]


@pytest.mark.parametrize("client", ["vscode", "neovim"])
async def test_a_settings_file_is_opened_edited_and_closed_like_a_document(
    editor_factory, chat_app: Path, client: str
) -> None:
    editor: Editor = await editor_factory(client)
    await editor.start(init_options={"debounceMs": 0})
    uri = editor.uri("docker-compose.yml")
    editor.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=COMPOSE)
        )
    )
    # the replica count, after the emoji in the comment of the line above: UTF-16 positions
    editor.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(4, 16), end=types.Position(4, 17)), text="1"
                )
            ],
        )
    )
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=editor.uri("Procfile"), type=types.FileChangeType.Changed)]
        )
    )
    editor.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # the source files are analysed as before, and nothing was refused or failed on the way
    editor.open("rooms.js")
    await editor.diagnostics("rooms.js", until=lambda d: len(d) == 1)
    assert complaints(editor) == []
