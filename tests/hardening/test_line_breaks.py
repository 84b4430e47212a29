"""The server's copy of a document follows the client's edits exactly, whatever the edited line holds:
LSP lines end at LF, CR LF and a bare CR (and nowhere else: not at a form feed, U+0085 or U+2028),
and a range past the end of a line ends at the line's end, without losing a character."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lsprotocol import types

from hscale_ls.analysis.text import LineIndex
from tests.server.harness import Editor, start_client

HEAD = (
    'const { Server } = require("socket.io");\nconst io = new Server(3000);\nconst onlineUsers = new Map();\n'
)
CALL = "onlineUsers.set(socket.id, 1);"
BREAKS = {"bare CR": "\r", "form feed": "\x0c", "U+0085": "\x85", "U+2028": "\u2028"}


def lsp_position(text: str, index: int) -> types.Position:
    """The LSP position (UTF-16) of code point `index`, lines ending at LF, CR LF or CR."""
    before = text[:index]
    breaks = list(re.finditer(r"\r\n|\r|\n", before))
    column = before[breaks[-1].end() :] if breaks else before
    return types.Position(line=len(breaks), character=len(column.encode("utf-16-le")) // 2)


def shape(diagnostics: list[types.Diagnostic]) -> list[tuple[object, ...]]:
    return sorted(
        (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, str(d.code))
        for d in diagnostics
    )


def rules(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def test_line_index_ends_lines_where_the_protocol_does() -> None:
    text = "a\rb\r\nc\nd\x0ce\x85f\u2028g\r".encode()
    index = LineIndex(text)
    assert [index.point(text.index(c.encode())).line for c in "abcdefg"] == [0, 1, 2, 3, 3, 3, 3]
    assert index.offset(1, 99) == text.index(b"\r\n")  # past the end: before the CR LF
    assert index.offset(9, 0) == len(text)
    assert index.point(len(text)).line == 4  # a final bare CR opens an empty last line


@pytest.mark.parametrize("mark", list(BREAKS.values()), ids=list(BREAKS))
async def test_a_deletion_on_a_line_with_an_unusual_break_is_applied_where_the_client_put_it(
    tmp_path: Path, mark: str
) -> None:
    (tmp_path / "package.json").write_text("{}")
    text = HEAD + 'io.on("connection", (socket) => {\n  /* ' + mark + " */ " + CALL + "\n});\n"
    client = await start_client()
    editor = Editor(client, tmp_path, "vscode")
    try:
        await editor.start(init_options={"debounceMs": 0})
        editor.open("app.js", text)
        assert "presence-in-memory" in rules(await editor.diagnostics("app.js", version=1))
        start = text.index(CALL)
        deletion = types.Range(start=lsp_position(text, start), end=lsp_position(text, start + len(CALL)))
        version = editor.change("app.js", types.TextDocumentContentChangePartial(range=deletion, text=""))
        assert "presence-in-memory" not in rules(await editor.diagnostics("app.js", version=version))
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_a_range_past_the_end_of_a_last_line_without_a_newline_keeps_every_character(
    tmp_path: Path,
) -> None:
    (tmp_path / "package.json").write_text("{}")
    text = HEAD.replace("const onlineUsers = new Map();\n", "")
    text += 'io.on("connection", (socket) => ' + CALL[:-1] + ");\nconst x = 1"
    added = "; const onlineUsers = new Map();"
    client = await start_client()
    editor = Editor(client, tmp_path, "vscode")
    try:
        await editor.start(init_options={"debounceMs": 0})
        editor.open("app.js", text)
        await editor.diagnostics("app.js", version=1)
        past_end = types.Position(line=3, character=99)
        version = editor.change(
            "app.js",
            types.TextDocumentContentChangePartial(
                range=types.Range(start=past_end, end=past_end), text=added
            ),
        )
        edited = await editor.diagnostics("app.js", version=version)
        editor.open("fresh.js", text + added)
        fresh = await editor.diagnostics("fresh.js", version=1)
        assert "presence-in-memory" in rules(fresh)
        assert shape(edited) == shape(fresh)
    finally:
        await client.shutdown_session()
        await client.stop()
