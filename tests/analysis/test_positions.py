"""Positions: tree-sitter counts bytes, the CLI reports code points, the LSP will need UTF-16."""

from __future__ import annotations

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
    body = SERVER + 'const messages = [];\nio.on("connection", (s) => s.on("m", (m) => messages.push(m)));\n'
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
