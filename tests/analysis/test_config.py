"""Configuration files, nearest-wins lookup, broken files, inline suppressions."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

SERVER = (
    'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'
    "const onlineUsers = new Map();\nconst messages = [];\n"
    'io.on("connection", (s) => { onlineUsers.set(s.id, 1); s.on("m", (m) => { messages.push(m); io.emit("m", m); }); });\n'
)


def make_app(folder: Path, config_name: str | None = None, config: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if config_name != "package.json":
        (folder / "package.json").write_text("{}")
    if config_name:
        (folder / config_name).write_text(config)
    (folder / "server.js").write_text(SERVER)
    return folder


def findings(folder: Path, *extra: str) -> list[dict[str, object]]:
    result = run_cli("check", str(folder), "--format", "json", *extra)
    return result.json()["findings"]


def test_hscale_toml_sets_severity_and_ignore(tmp_path: Path) -> None:
    app = make_app(
        tmp_path / "a",
        ".hscale.toml",
        'ignore = ["history-in-memory"]\n[severity]\npresence-in-memory = "error"\n',
    )
    found = {f["rule"]: f["severity"] for f in findings(app)}
    assert found == {"subscriptions-in-memory": "warning", "presence-in-memory": "error"}


def test_pyproject_tool_table_and_package_json_key(tmp_path: Path) -> None:
    py = make_app(
        tmp_path / "py", "pyproject.toml", '[project]\nname = "x"\n[tool.hscale]\nseverity = "hint"\n'
    )
    assert {f["severity"] for f in findings(py)} == {"hint"}
    js = make_app(
        tmp_path / "js",
        "package.json",
        json.dumps({"name": "x", "hscale": {"ignore": ["presence-in-memory"]}}),
    )
    assert "presence-in-memory" not in {f["rule"] for f in findings(js)}


def test_nearest_configuration_wins(tmp_path: Path) -> None:
    (tmp_path / ".hscale.toml").write_text('severity = "error"\n')
    outer = make_app(tmp_path / "outer")
    inner = make_app(tmp_path / "outer" / "inner", ".hscale.toml", 'severity = "information"\n')
    assert {f["severity"] for f in findings(outer) if "inner" not in str(f["path"])} == {"error"}
    assert {f["severity"] for f in findings(inner)} == {"information"}


def test_exclude_globs(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a", ".hscale.toml", 'exclude = ["legacy/**"]\n')
    (app / "legacy").mkdir()
    (app / "legacy" / "old.js").write_text(SERVER)
    paths = {f["path"] for f in findings(app)}
    assert paths and not any("legacy" in str(p) for p in paths)


def test_broken_config_is_reported_with_file_and_defaults_are_used(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a", ".hscale.toml", 'deployment = "blue-green"\nseverity = "loud"\n')
    result = run_cli("check", str(app), "--format", "json")
    assert result.code == 2
    assert ".hscale.toml: `deployment` must be one of" in result.stderr
    assert "`severity` must be one of" in result.stderr
    assert {f["severity"] for f in result.json()["findings"]} == {"warning"}
    assert len(result.json()["findings"]) == 3


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a", ".hscale.toml", "deployment = [unclosed\n")
    result = run_cli("check", str(app))
    assert result.code == 2
    assert ".hscale.toml: invalid TOML" in result.stderr
    assert "3 findings" in result.stdout


def test_explicit_config_file_applies_everywhere(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a")
    config = tmp_path / "ci.toml"
    config.write_text('deployment = "single-instance"\n')
    assert findings(app, "--config", str(config)) == []
    assert run_cli("audit", str(app), "--config", str(config)).code == 3


def test_inline_suppressions_need_a_reason(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a")
    source = SERVER.replace(
        "const onlineUsers",
        "// hscale-ignore presence-in-memory -- sticky kiosk, one process\nconst onlineUsers",
    ).replace("const messages = [];", "const messages = []; // hscale-ignore history-in-memory")
    (app / "server.js").write_text(source)
    found = findings(app)
    assert "presence-in-memory" not in {f["rule"] for f in found}
    history = next(f for f in found if f["rule"] == "history-in-memory")
    assert "needs a reason" in str(history["message"])


def test_python_suppression(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("python-socketio\n")
    (tmp_path / "app.py").write_text(
        "import socketio\nsio = socketio.Server(client_manager=socketio.RedisManager('redis://'))\n"
        "users = {}  # hscale: ignore[presence-in-memory] cleared by the nightly restart\n\n"
        "@sio.event\ndef connect(sid, environ):\n    users[sid] = 1\n"
    )
    assert findings(tmp_path) == []
