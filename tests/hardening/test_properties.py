"""Incremental equals fresh: random edit sequences applied to an open document give exactly the facts
(and, through the server, the diagnostics) of the final text analysed from scratch. Texts carry astral
characters, combining marks, CRLF, bare CRs and the characters that `str.splitlines` takes for line
ends but the protocol does not (form feed, U+0085, U+2028); positions are produced in every encoding.

HSCALE_PROPERTY_EXAMPLES sets the number of sequences (CI runs 300; HSCALE_HARDENING=nightly, 5,000).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from hscale_ls.analysis.extract import facts_from_tree, file_facts, parse
from hscale_ls.analysis.facts import FileFacts
from hscale_ls.analysis.live import LiveDocument
from tests.hardening import scale
from tests.server.harness import Editor, start_client

EXAMPLES = int(os.environ.get("HSCALE_PROPERTY_EXAMPLES") or scale.size(300, 5000))
SEED = (
    'const { Server } = require("socket.io");\r\n'
    "const io = new Server(3000); // 👋🏽 ﬁ\n"
    "const onlineUsers = new Map(); /* é́ */\n"
    "const messages = [];\n"
    'io.on("connection", (socket) => {\n'
    "  onlineUsers.set(socket.id, '𝒳');\r\n"
    '  socket.on("m", (m) => messages.push(m));\n'
    "});\n"
)
PIECES = [
    "",
    "x",
    "\n",
    "\r\n",
    "😀",
    "é",
    "e\u0301",
    "𝒳",
    "// c\n",
    "messages.push(1);\n",
    "const rooms = new Map();\n",
    "io.on('j', (s) => rooms.set(s.id, 1));\n",
    "}",
    "{",
    "'",
    "/*",
    "*/",
    " ",
    "\t",
    "\r",
    "\x0c",
    "\x85",
    "\u2028",
]


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text)


def position(text: str, index: int, encoding: str) -> tuple[int, int]:
    """LSP (line, character) of the code point `index`, lines ending at LF, CR LF or CR as in LSP."""
    before = text[:index]
    breaks = list(re.finditer(r"\r\n|\r|\n", before))
    column_text = before[breaks[-1].end() :] if breaks else before
    return len(breaks), units(column_text, encoding)


def snap(text: str, index: int) -> int:
    """LSP positions cannot fall inside a CR LF pair: move such an index before the CR."""
    if 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n":
        return index - 1
    return index


edit = st.tuples(st.floats(0, 1), st.floats(0, 1), st.sampled_from(PIECES), st.sampled_from(PIECES))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(edit, min_size=1, max_size=12), encoding=st.sampled_from(["utf-8", "utf-16", "utf-32"]))
# a comment typed before an automatic semicolon: the incremental tree keeps it after the statement
@example(
    edits=[(0.0, 0.0, "x", "\r\n"), (0.1640625, 0.0, "", "// c\n"), (0.0, 0.0, "", "")], encoding="utf-8"
)
# an edit before a kept statement on its line that keeps its byte column but not its code-point one
@example(
    edits=[
        (1.0, 0.0, "", "io.on('j', (s) => rooms.set(s.id, 1));\n"),
        (0.0546875, 0.0, "", "const rooms = new Map();\n"),
        (0.0, 0.625, "x", "😀"),
    ],
    encoding="utf-8",
)
# a parser recovering from an unterminated string puts a comment inside it: typing in that comment
# changes the string (here a module name), so the facts cannot be carried over
@example(
    edits=[
        (0.0, 0.0, "", "io.on('j', (s) => rooms.set(s.id, 1));\n"),
        (0.5, 0.0, "", "// c\n"),
        (0.5, 0.0, "messages.push(1);\n", "io.on('j', (s) => rooms.set(s.id, 1));\n"),
        (0.1875, 0.0, "// c\n", "/*"),
        (0.5, 0.0, "", "x"),
    ],
    encoding="utf-8",
)
def test_incremental_facts_equal_fresh_facts(
    edits: list[tuple[float, float, str, str]], encoding: str
) -> None:
    text = SEED
    document = LiveDocument("/w/app.js", "javascript", 1, text.encode())
    document.ensure_facts()
    for where, length, piece_a, piece_b in edits:
        start = snap(text, int(where * len(text)))
        end = snap(text, min(len(text), start + int(length * 8)))
        inserted = piece_a + piece_b
        document.edit(position(text, start, encoding), position(text, end, encoding), inserted, encoding)
        text = text[:start] + inserted + text[end:]
        if where < 0.5:  # analyse between some edits, not all: both paths get exercised
            document.ensure_facts()
    assert document.source == text.encode()
    assert document.ensure_facts() == fresh_facts(document, text)


def fresh_facts(document: LiveDocument, text: str) -> FileFacts:
    """The facts of `text` analysed from scratch. Tree-sitter may settle on another tree when it
    re-parses incrementally than when it parses afresh: recovering from a syntax error, or hanging a
    comment typed before an automatic semicolon inside or after the statement. Then the facts must
    equal a fresh extraction of the document's own tree (what this machinery owns), and, where neither
    tree has errors, the facts of the fresh tree too (the editor and `check` agree on valid code)."""
    source = text.encode()
    fresh_tree = parse(source, document.language)
    assert document.tree is not None
    if str(document.tree.root_node) == str(fresh_tree.root_node):
        return file_facts(document.path, source, document.language)
    own = facts_from_tree(document.path, source, document.language, document.tree)
    if not (document.tree.root_node.has_error and fresh_tree.root_node.has_error):
        assert own == file_facts(document.path, source, document.language)
    return own


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


async def test_incremental_diagnostics_equal_fresh_through_the_server(tmp_path: Path) -> None:
    """A few dozen random sequences through the real server, several changes per notification."""
    import random

    (tmp_path / "package.json").write_text("{}")
    rng = random.Random(11)
    client = await start_client()
    editor = Editor(client, tmp_path, "vscode")
    try:
        await editor.start(init_options={"debounceMs": 0})
        for case in range(int(os.environ.get("HSCALE_LSP_PROPERTY_CASES", "24"))):
            name = f"case{case}.js"
            text = SEED
            editor.open(name, text)
            await editor.diagnostics(name, version=1)
            for _ in range(rng.randint(1, 6)):
                changes = []
                for _ in range(rng.randint(1, 3)):
                    if rng.random() < 0.1:
                        text = rng.choice([SEED, SEED.replace("\r\n", "\n"), SEED + rng.choice(PIECES)])
                        changes.append(types.TextDocumentContentChangeWholeDocument(text=text))
                        continue
                    start = snap(text, rng.randrange(len(text) + 1))
                    end = snap(text, min(len(text), start + rng.randrange(8)))
                    inserted = rng.choice(PIECES) + rng.choice(PIECES)
                    (sl, sc), (el, ec) = position(text, start, "utf-16"), position(text, end, "utf-16")
                    changes.append(
                        types.TextDocumentContentChangePartial(
                            range=types.Range(
                                start=types.Position(line=sl, character=sc),
                                end=types.Position(line=el, character=ec),
                            ),
                            text=inserted,
                        )
                    )
                    text = text[:start] + inserted + text[end:]
                version = editor.change(name, *changes)
            edited = await editor.diagnostics(name, version=version)
            fresh_name = f"fresh{case}.js"
            editor.open(fresh_name, text)
            fresh = await editor.diagnostics(fresh_name, version=1)
            assert shape(edited) == shape(fresh), (case, text)
            for closing in (name, fresh_name):
                client.text_document_did_close(
                    types.DidCloseTextDocumentParams(
                        text_document=types.TextDocumentIdentifier(uri=editor.uri(closing))
                    )
                )
    finally:
        await client.shutdown_session()
        await client.stop()
