"""A stream whose framing breaks (a Content-Length larger than the body, negative, not a number, or
missing) cannot be read on: the server closes with a clear error on stderr and a non-zero exit, so the
client restarts it, instead of staying alive but deaf. A body that is framed right but is not JSON still
gets an error and the server keeps serving (tests/hardening/test_protocol.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.hardening.test_protocol import SERVER

HANG_BUDGET = 30.0  # seconds: far longer than a clean close takes, short enough to catch a hang


def framed(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


INITIALIZE = framed({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
HOVER = framed(
    {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "textDocument/hover",
        "params": {"textDocument": {"uri": "file:///a.js"}, "position": {"line": 0, "character": 0}},
    }
)
BODY = b'{"jsonrpc": "2.0", "method": "initialized", "params": {}}'

BROKEN = {
    "length larger than the body": b"Content-Length: %d\r\n\r\n" % (len(BODY) + 40) + BODY,
    "negative length": b"Content-Length: -5\r\n\r\n" + BODY,
    "length not a number": b"Content-Length: twelve\r\n\r\n" + BODY,
    "no length": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + BODY,
}


def run(tmp_path: Path, stream: bytes, close_input: bool) -> tuple[int, bytes, bytes]:
    """Feed `stream` to a real server; keep its input open unless `close_input` (a client that is still
    there and waiting). The server must end by itself within the hang budget."""
    process = subprocess.Popen(
        SERVER, cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None
    process.stdin.write(stream)
    process.stdin.flush()
    if close_input:
        process.stdin.close()
    try:
        out, err = _wait(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    return process.returncode, out, err


def _wait(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    assert process.stdout is not None and process.stderr is not None
    try:
        process.wait(timeout=HANG_BUDGET)
    except subprocess.TimeoutExpired:
        pytest.fail("the server is still running, deaf, after a framing error")
    return process.stdout.read(), process.stderr.read()


@pytest.mark.parametrize("broken", list(BROKEN.values()), ids=list(BROKEN))
def test_a_framing_error_closes_the_server_with_an_error(tmp_path: Path, broken: bytes) -> None:
    # the client is still there and sends on: the next request must not vanish into a deaf server
    code, out, err = run(tmp_path, INITIALIZE + broken + HOVER + HOVER, close_input=False)
    assert code not in (0, None)
    assert b'"id": 1' in out or b'"id":1' in out  # what came before the error was answered
    assert b"Content-Length" in err and b"framing" in err.lower(), err.decode(errors="replace")


def test_a_body_cut_short_by_the_end_of_input_is_a_framing_error(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, INITIALIZE + BROKEN["length larger than the body"], close_input=True)
    assert code not in (0, None)
    assert b"framing" in err.lower() and b"Content-Length" in err, err.decode(errors="replace")


def test_well_framed_input_ending_between_messages_is_no_framing_error(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, INITIALIZE + framed({"jsonrpc": "2.0", "method": "exit"}), close_input=True)
    assert code == 1  # `exit` without `shutdown`
    assert b"framing" not in err.lower()
