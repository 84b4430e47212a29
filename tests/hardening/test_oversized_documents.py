"""A document opened over `hscale.maxFileBytes` is not analysed, but it stays open: once an edit brings it
back under the limit (a whole-document replacement, or ranged edits), it is analysed like any other.

HSCALE_HARDENING=nightly opens a 20 MB document; CI, one of 300 KB against a lower limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.hardening import scale
from tests.server.harness import Editor, start_client

SIZE = scale.size(300_000, 20_000_000)
LIMIT = SIZE // 2
SMALL = (
    'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'
    "const onlineUsers = new Map();\n"
    'io.on("connection", (socket) => onlineUsers.set(socket.id, 1));\n'
)
FILLER_LINE = "// " + "x" * 76 + "\n"


def oversized() -> str:
    return SMALL + FILLER_LINE * (SIZE // len(FILLER_LINE) + 1)


def rules(diagnostics: list[types.Diagnostic]) -> set[str]:
    return {str(d.code) for d in diagnostics}


@pytest.mark.timeout(scale.timeout(60, 600))
@pytest.mark.parametrize("how", ["whole document", "ranged edit"])
async def test_a_document_edited_back_under_the_limit_is_analysed_again(tmp_path: Path, how: str) -> None:
    (tmp_path / "package.json").write_text("{}")
    text = oversized()
    client = await start_client()
    editor = Editor(client, tmp_path, "vscode")
    try:
        await editor.start(init_options={"debounceMs": 0, "maxFileBytes": LIMIT})
        editor.open("big.js", text)
        await editor.wait_for(
            lambda: any("not analysing" in m.message and "big.js" in m.message for m in client.log_messages)
        )
        if how == "whole document":
            change: types.TextDocumentContentChangeEvent = types.TextDocumentContentChangeWholeDocument(
                text=SMALL
            )
        else:  # delete every comment line after the code
            end = types.Position(line=text.count("\n"), character=0)
            start = types.Position(line=SMALL.count("\n"), character=0)
            change = types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text="")
        version = editor.change("big.js", change)
        diagnostics = await editor.diagnostics("big.js", version=version)
        assert "presence-in-memory" in rules(diagnostics)
    finally:
        await client.shutdown_session()
        await client.stop()
