"""The fixes every finding offers: a suppression with a reason, and declaring the project single-instance."""

from __future__ import annotations

from pathlib import Path

from hscale_ls.analysis.engine import scan
from hscale_ls.analysis.extract import parse
from hscale_ls.fixes import apply, declare_single_instance, suppress

JS = (
    'const { Server } = require("socket.io");\r\nconst io = new Server(3000);\r\n'
    "if (true) {\r\n}\r\n\t\tconst onlineUsers = new Map();\r\n"
    'io.on("connection", (s) => onlineUsers.set(s.id, 1));\r\n'
)
PY = (
    "import socketio\nsio = socketio.Server(client_manager=socketio.RedisManager('redis://'))\n"
    "users = {}\n\n@sio.event\ndef connect(sid, environ):\n    users[sid] = 1\n"
)


def findings_for(folder: Path, name: str, text: str, marker: str) -> list:
    folder.mkdir(exist_ok=True)
    (folder / marker).write_text("{}" if marker == "package.json" else "")
    (folder / name).write_bytes(text.encode())
    return scan([str(folder)], jobs=1).findings


def test_suppression_keeps_indentation_and_line_endings_and_silences_the_finding(tmp_path: Path) -> None:
    finding = next(f for f in findings_for(tmp_path, "s.js", JS, "package.json") if f.name == "onlineUsers")
    fix = suppress(finding, JS.encode())
    fixed = apply(JS.encode(), list(fix.edits))
    lines = fixed.split(b"\r\n")
    assert lines[4] == b"\t\t// hscale-ignore presence-in-memory -- explain why this state may stay in memory"
    # every original line is still there, in order, byte for byte
    assert [line for i, line in enumerate(lines) if i != 4] == JS.encode().split(b"\r\n")
    assert not parse(fixed, "javascript").root_node.has_error
    (tmp_path / "s.js").write_bytes(fixed)
    assert "onlineUsers" not in {f.name for f in scan([str(tmp_path)], jobs=1).findings}


def test_python_suppression_comment(tmp_path: Path) -> None:
    finding = findings_for(tmp_path, "app.py", PY, "requirements.txt")[0]
    fixed = apply(PY.encode(), list(suppress(finding, PY.encode()).edits))
    assert b"# hscale: ignore[presence-in-memory] explain why" in fixed
    (tmp_path / "app.py").write_bytes(fixed)
    assert scan([str(tmp_path)], jobs=1).findings == []


def test_declare_single_instance_creates_or_edits_the_config() -> None:
    created = declare_single_instance(".hscale.toml", None)
    assert apply(b"", list(created.edits)) == b'deployment = "single-instance"\n'
    existing = b'# ours\ndeployment = "multi-instance"\nignore = []\n[severity]\nx = "error"\n'
    edited = apply(existing, list(declare_single_instance(".hscale.toml", existing).edits))
    assert edited == existing.replace(b'"multi-instance"', b'"single-instance"')
    # a key of the same name inside a table is not the top-level setting
    tabled = b'[other]\ndeployment = "x"\n'
    assert apply(tabled, list(declare_single_instance(".hscale.toml", tabled).edits)).startswith(
        b'deployment = "single-instance"\n[other]'
    )
    # applying again changes nothing
    assert apply(edited, list(declare_single_instance(".hscale.toml", edited).edits)) == edited
