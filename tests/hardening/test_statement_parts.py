"""Open documents being edited keep their facts per top-level statement and read again only the
statements an edit changed. Whatever the edits, the facts must equal those of the final text
analysed from scratch: random edits (code, comments, imports, declarations, broken syntax, astral
characters, CRLF) over every example and fixture, through the real edit path (ranged changes, an
incrementally re-parsed tree).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hscale_ls.analysis.extract import file_facts
from hscale_ls.analysis.languages import language_for_path
from hscale_ls.analysis.live import LiveDocument
from hscale_ls.analysis.text import LineIndex
from tests.hardening.test_properties import fresh_facts

ROOT = Path(__file__).parents[2]
SOURCES = sorted(
    p
    for folder in ("examples", "tests/fixtures")
    for p in (ROOT / folder).rglob("*")
    if p.suffix in {".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".py"} and "node_modules" not in p.parts
)
PIECES = [
    "",
    "x",
    "\n",
    "\r\n",
    "}",
    "{",
    "(",
    ")",
    ";",
    "'",
    "`",
    "/*",
    "*/",
    "😀",
    "e\u0301",
    "  ",
    "messages.push(1);\n",
    "const rooms = new Map();\n",
    "io.on('j', (s) => rooms.set(s.id, 1));\n",
    "// hscale-ignore horizontal-scaling-ready: one box\n",
    "import { Server } from 'socket.io';\n",
    "const { createAdapter } = require('@socket.io/redis-adapter');\n",
    "class A { constructor() { this.users = new Map(); } add(u) { this.users.set(u, 1); } }\n",
    "const store = new A();\n",
    "store.users.set(1, 2);\n",
    "wss.clients.forEach((c) => c.send(1));\n",
    "const options = { adapter: createAdapter() };\n",
    "@WebSocketGateway()\n",
    "res.write('text/event-stream');\n",
]
PYTHON_PIECES = [
    "",
    "x",
    "\n",
    "\r\n",
    "    ",
    "\n    ",
    ":",
    "(",
    ")",
    "'",
    "😀",
    "messages.append(1)\n",
    "rooms = {}\n",
    "    online.add(sid)\n",
    "from flask_socketio import SocketIO\n",
    "def f():\n    rooms[1] = 2\n",
    "class A:\n    def __init__(self):\n        self.users = set()\n",
    "a = A()\n",
    "a.users.add(1)\n",
    "# hscale-ignore horizontal-scaling-ready: one box\n",
    "    global rooms\n",
    "import websockets\n",
    "websockets.serve(handler, 'x', 1)\n",
    "'text/event-stream'",
    "@sio.on('x')\n",
    "    del rooms[1]\n",
]


def test_the_sources_cover_every_language() -> None:
    assert {".ts", ".js", ".py"} <= {p.suffix for p in SOURCES}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_statement_facts_equal_fresh_facts_after_random_edits(path: Path) -> None:
    rng = random.Random(path.name)
    language = language_for_path(str(path))
    assert language is not None
    text = path.read_text(encoding="utf-8")
    document = LiveDocument(str(path), language, 1, text.encode())
    document.ensure_facts()
    for step in range(30):
        start = rng.randrange(len(text) + 1)
        end = min(len(text), start + rng.randrange(14))
        if 0 < start < len(text) and text[start - 1] == "\r" and text[start] == "\n":
            start -= 1  # LSP positions cannot fall inside a CR LF pair
        if 0 < end < len(text) and text[end - 1] == "\r" and text[end] == "\n":
            end -= 1
        inserted = rng.choice(PYTHON_PIECES if language == "python" else PIECES)
        index = LineIndex(text.encode())
        begin, finish = (index.point(len(text[:i].encode())) for i in (start, end))
        document.edit((begin.line, begin.utf16), (finish.line, finish.utf16), inserted, "utf-16")
        text = text[:start] + inserted + text[end:]
        if rng.random() < 0.7:  # sometimes several edits between two analyses
            assert document.ensure_facts() == fresh_facts(document, text), (step, text)
    assert document.ensure_facts() == fresh_facts(document, text)


def test_an_edit_in_one_handler_reads_only_that_statement() -> None:
    handler = (
        'io.on("connection{k}", (socket) => {{\n'
        "  onlineUsers.set(socket.id, {k});\n"
        '  socket.on("say", (m) => messages.push(m));\n'
        "}});\n"
    )
    head = 'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'
    head += "const onlineUsers = new Map();\nconst messages = [];\n"
    text = head + "".join(handler.format(k=k) for k in range(40))
    document = LiveDocument("/w/server.js", "javascript", 1, text.encode())
    first = document.ensure_facts()  # opening reads the file at once; parts start with editing
    assert document.statements.read == 0
    line = head.count("\n") + 4 * 20 + 1  # `onlineUsers.set(...)` in the 21st handler
    document.edit((line, 2), (line, 2), "if (socket) ", "utf-16")
    document.ensure_facts()
    assert document.statements.read == 44  # every statement, once
    document.edit((line, 2), (line, 2), "x && ", "utf-16")
    facts = document.ensure_facts()
    assert document.statements.read == 1
    assert facts == file_facts("/w/server.js", document.source, "javascript")
    assert len(facts.containers[0].mutations) == len(first.containers[0].mutations)
    # a new module-level container changes what every statement reads: all are read again
    document.edit((2, 0), (2, 0), "const rooms = new Map();\n", "utf-16")
    document.ensure_facts()
    assert document.statements.read == 45


def test_python_edits_read_only_the_function_they_touch() -> None:
    handler = (
        "@sio.on('message{k}')\n"
        "async def on_message_{k}(sid, data):\n"
        "    messages.append(data)\n"
        "    online_users[sid] = {k}\n\n\n"
    )
    head = (
        "import socketio\n\nsio = socketio.AsyncServer()\nonline_users = {{}}\nmessages = []\n\n\n".format()
    )
    text = head + "".join(handler.format(k=k) for k in range(30))
    document = LiveDocument("/w/app.py", "python", 1, text.encode())
    document.ensure_facts()
    line = head.count("\n") + 6 * 12 + 2  # `messages.append(data)` in the 13th handler
    for typed in ("if data: ", "x"):
        document.edit((line, 4), (line, 4), typed, "utf-16")
        document.ensure_facts()
    assert document.statements.read == 1
    assert document.ensure_facts() == file_facts("/w/app.py", document.source, "python")
