"""Malformed protocol traffic gets JSON-RPC errors or is ignored; the server keeps serving, and `exit`
without `shutdown` ends it with code 1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SERVER = [sys.executable, "-m", "hscale_ls", "serve"]


class RawClient:
    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            SERVER, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )

    def send_raw(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps(message).encode())

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = self.process.stdout.readline()
            assert line, "the server closed its output"
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def response(self, identifier: int) -> dict[str, Any]:
        while True:
            message = self.read()
            if message.get("id") == identifier and "method" not in message:
                return message
            if "method" in message and "id" in message:  # a request from the server: answer it
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})


def start(tmp_path: Path) -> RawClient:
    client = RawClient(tmp_path)
    client.send(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"capabilities": {}, "rootUri": tmp_path.as_uri()},
        }
    )
    assert "result" in client.response(1)
    client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    return client


def test_garbage_gets_errors_and_the_server_keeps_serving(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("const x = 1;\n")
    client = start(tmp_path)
    uri = (tmp_path / "a.js").as_uri()
    client.send_raw(b"{this is not json")
    client.send({"jsonrpc": "2.0", "id": 2, "method": "hscale/unknownMethod", "params": {}})
    assert client.response(2)["error"]["code"] == -32601
    client.send({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {"wrong": "shape"}})
    assert "error" in client.response(3)
    client.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": "x"}]},
        }
    )
    client.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": uri,
                    "languageId": "javascript",
                    "version": 3,
                    "text": "const x = 1;\n",
                }
            },
        }
    )
    far = {"start": {"line": 999, "character": 999}, "end": {"line": 1999, "character": 0}}
    client.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": 4},
                "contentChanges": [{"range": far, "text": "// end\n"}],
            },
        }
    )
    client.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": 1}, "contentChanges": [{"text": "older"}]},
        }
    )
    client.send({"jsonrpc": "2.0", "method": "$/unknownNotification", "params": [1, 2]})
    client.send(
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
        }
    )
    assert client.response(4)["result"] is None
    client.send(
        {
            "jsonrpc": "2.0",
            "id": 5,
            "method": "workspace/executeCommand",
            "params": {"command": "hscale.audit", "arguments": [uri]},
        }
    )
    assert client.response(5)["result"]["verdict"] == "skip"
    client.send({"jsonrpc": "2.0", "id": 6, "method": "shutdown"})
    assert client.response(6)["result"] is None
    client.send(
        {
            "jsonrpc": "2.0",
            "id": 7,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
        }
    )
    assert "error" in client.response(7)
    client.send({"jsonrpc": "2.0", "method": "exit"})
    assert client.process.wait(timeout=20) == 0


def test_exit_without_shutdown_exits_with_1(tmp_path: Path) -> None:
    client = start(tmp_path)
    client.send({"jsonrpc": "2.0", "method": "exit"})
    assert client.process.wait(timeout=20) == 1


def test_closing_stdin_ends_the_server(tmp_path: Path) -> None:
    client = start(tmp_path)
    assert client.process.stdin is not None
    client.process.stdin.close()
    deadline = time.monotonic() + 20
    while client.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.process.poll() is not None


def test_cancel_request_is_answered_and_the_server_keeps_serving(tmp_path: Path) -> None:
    for index in range(100):
        (tmp_path / f"m{index}.js").write_text("export const x = 1;\n" * 100)
    client = RawClient(tmp_path)
    pull = {"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": True}}}
    client.send(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"capabilities": pull, "rootUri": tmp_path.as_uri()},
        }
    )
    client.response(1)
    client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    client.send(
        {"jsonrpc": "2.0", "id": 2, "method": "workspace/diagnostic", "params": {"previousResultIds": []}}
    )
    client.send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 2}})
    answer = client.response(2)
    assert "result" in answer or answer["error"]["code"] == -32800  # RequestCancelled
    client.send(
        {"jsonrpc": "2.0", "id": 3, "method": "workspace/diagnostic", "params": {"previousResultIds": []}}
    )
    assert len(client.response(3)["result"]["items"]) == 100
    client.send({"jsonrpc": "2.0", "id": 4, "method": "shutdown"})
    client.response(4)
    client.send({"jsonrpc": "2.0", "method": "exit"})
    assert client.process.wait(timeout=20) == 0
