"""Settings parsing in every shape clients send, and the TCP transport used for debugging."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

from hscale_ls.server.settings import Settings, parse


def test_vscode_list_and_neovim_table_shapes() -> None:
    from_vscode, errors = parse([{"enable": True, "debounceMs": 50, "severity": "error"}])
    assert errors == [] and from_vscode.debounceMs == 50 and from_vscode.config == {"severity": "error"}
    from_neovim, errors = parse({"hscale": {"run": "onSave", "ignore": ["history-in-memory"]}})
    assert (
        errors == []
        and from_neovim.run == "onSave"
        and from_neovim.config == {"ignore": ["history-in-memory"]}
    )
    assert parse(None) == (Settings(), [])


def test_invalid_values_name_their_key_and_fall_back() -> None:
    settings, errors = parse(
        {"debounceMs": -5, "enable": "yes", "logLevel": "loud", "exclude": "x", "deployment": "blue"}
    )
    assert settings == Settings()
    joined = "\n".join(errors)
    for key in ("hscale.debounceMs", "hscale.enable", "hscale.logLevel", "`exclude`", "`deployment`"):
        assert key in joined
    assert parse("not an object")[1] == ["hscale settings must be an object, got str; using the defaults"]


def test_tcp_transport_answers_initialize() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "hscale_ls", "serve", "--tcp", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.05)
        with connection:
            body = json.dumps(
                {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
            )
            connection.sendall(f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
            received = b""
            while b'"result"' not in received or not received.rstrip().endswith(b"}"):
                chunk = connection.recv(65536)
                assert chunk, "connection closed"
                received += chunk
        _, _, payload = received.partition(b"\r\n\r\n")
        answer = json.loads(payload)
        assert answer["id"] == 1
        assert answer["result"]["serverInfo"]["name"] == "hscale-ls"
        assert answer["result"]["capabilities"]["hoverProvider"]
    finally:
        server.kill()
        server.wait(timeout=10)
