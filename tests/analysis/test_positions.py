"""Positions: tree-sitter counts bytes, the CLI reports code points, the LSP will need UTF-16."""

from __future__ import annotations

import random
from pathlib import Path

from hscale_ls.analysis.engine import scan
from hscale_ls.analysis.text import LineIndex

SERVER = 'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'


def test_line_index_converts_between_units() -> None:
    text = "a😀é = 1\r\nβ\n".encode()
    index = LineIndex(text)
    equals = text.index(b"=")
    point = index.point(equals)
    assert (point.line, point.byte, point.char, point.utf16) == (0, 8, 4, 5)
    assert index.offset(0, 5, "utf-16") == equals
    assert index.offset(0, 4, "utf-32") == equals
    assert index.offset(0, 8, "utf-8") == equals
    # past the end of a line clamps before its CR LF; past the last line, to the end
    assert index.offset(0, 99) == text.index(b"\r")
    assert index.offset(9, 0) == len(text)
    # a column inside a surrogate pair lands before the character
    assert index.offset(0, 2) == 1


def test_columns_count_code_points_after_emoji_and_accents(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}")
    source = (
        SERVER
        + '/* 👋 café */ const onlineUsers = new Map(); io.on("connection", (s) => onlineUsers.set(s.id, 1));\n'
    )
    (tmp_path / "server.js").write_text(source, encoding="utf-8")
    finding = next(f for f in scan([str(tmp_path)], jobs=1).findings if f.name == "onlineUsers")
    assert finding.span.start.line == 2
    assert finding.span.start.char == len("/* 👋 café */ const ")
    assert finding.span.start.utf16 == len("/* 👋 café */ const ") + 1
    assert finding.span.start.byte == len("/* 👋 café */ const ".encode())
    assert finding.span.end.char - finding.span.start.char == len("onlineUsers")


def test_crlf_files_report_the_same_positions_as_lf(tmp_path: Path) -> None:
    body = (
        SERVER
        + 'const messages = [];\nio.on("connection", (s) => s.on("m", (m) => io.emit("m", messages.push(m))));\n'
    )
    for name, text in (("lf", body), ("crlf", body.replace("\n", "\r\n"))):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "package.json").write_text("{}")
        (folder / "server.js").write_bytes(text.encode())
    lf, crlf = (scan([str(tmp_path / n)], jobs=1).findings for n in ("lf", "crlf"))
    assert [(f.rule, f.span.start, f.span.end) for f in lf] == [
        (f.rule, f.span.start, f.span.end) for f in crlf
    ]
    assert [f.span.start.line for f in crlf] == [1, 2]


def test_python_positions_with_non_ascii(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("python-socketio\n")
    (tmp_path / "app.py").write_text(
        "import socketio\nsio = socketio.Server()\nnoms = 'é'; online_users = {}\n\n"
        "@sio.event\ndef connect(sid, environ):\n    online_users[sid] = 1\n",
        encoding="utf-8",
    )
    finding = next(f for f in scan([str(tmp_path)], jobs=1).findings if f.name == "online_users")
    assert (finding.span.start.line, finding.span.start.char, finding.span.start.byte) == (2, 12, 13)


def test_an_edited_line_index_answers_as_a_fresh_one() -> None:
    """An edited index keeps the move of later lines as one number while typing stays on one line;
    after any run of edits (typing, line breaks added and removed, CRLF, astral characters, edits
    far apart) it answers every query as an index built from the new text."""
    rng = random.Random(7)
    pieces = ["x", "é", "😀", "\n", "\r\n", "", "ab\ncd", "\n\n", "  "]
    text = "const a = 1;\r\nlet b = 'é';\n\n// 😀 note\nfunction f() {\n  return a;\n}\n".encode()
    index = LineIndex(text)
    spot = 20
    for step in range(400):
        if rng.random() < 0.3:
            spot = rng.randrange(0, len(text) + 1)  # jump elsewhere
        start = min(spot, len(text))
        end = min(len(text), start + rng.choice([0, 0, 0, 1, 2, 9]))
        new = rng.choice(pieces).encode()
        text = text[:start] + new + text[end:]
        index = index.edited(text, start, end, start + len(new))
        spot = start + len(new)
        fresh = LineIndex(text)
        assert [index.point(o) for o in range(len(text) + 1)] == [
            fresh.point(o) for o in range(len(text) + 1)
        ], step
        lines = text.count(b"\n") + 1
        for line in range(-1, lines + 1):
            assert index.line_start(line) == fresh.line_start(line)
            assert index.line_end(line) == fresh.line_end(line)
            for column in (0, 1, 3, 50):
                assert index.offset(line, column) == fresh.offset(line, column)
