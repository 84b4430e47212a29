"""Records of processes, threads or sandboxes a server runs per session are not who is online, even
when they are keyed by the session and removed when it ends."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

APP = """import socketio
from dataclasses import dataclass

sio = socketio.AsyncServer()
running = {{}}


@dataclass
class {record}:
    pid: int


@sio.event
async def connect(sid, environ):
    running[sid] = {record}(pid=1)
    await sio.emit("count", len(running), to=sid)


@sio.event
async def disconnect(sid):
    running.pop(sid, None)
"""


def _findings(tmp_path: Path, record: str) -> list[tuple[str, int]]:
    (tmp_path / "requirements.txt").write_text("python-socketio\n")
    (tmp_path / "app.py").write_text(APP.format(record=record))
    result = run_cli("check", "--format", "json", str(tmp_path))
    assert result.code in (0, 1), result.stderr
    return [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def test_sandbox_processes_keyed_by_session_are_not_presence(tmp_path: Path) -> None:
    assert _findings(tmp_path, "SandboxProcess") == []


def test_user_records_keyed_by_session_are_presence(tmp_path: Path) -> None:
    assert _findings(tmp_path, "UserInfo") == [("presence-in-memory", 5)]
