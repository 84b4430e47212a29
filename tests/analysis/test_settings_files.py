"""Settings files (Procfile, PM2, Compose, Kubernetes, config/cable.yml) read into facts with exact
positions and the comment beside each value, through the scan and the live workspace alike."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hscale_ls.analysis.cache import FactsCache
from hscale_ls.analysis.engine import read_settings_file, scan
from hscale_ls.analysis.facts import SettingFact, SettingsFacts
from hscale_ls.analysis.facts_json import decode_settings_facts, to_json
from hscale_ls.analysis.file_kinds import FILE_KINDS, kind_for_path, read_settings, watch_globs
from hscale_ls.analysis.live import LiveWorkspace
from hscale_ls.analysis.text import Point
from tests.conftest import run_cli
from tests.hardening import scale


def point(text: str, line: int, before: str) -> Point:
    """Where `before` ends on `line` of `text` (that line must start with it), counted independently of
    the engine: bytes, code points and UTF-16 units."""
    row = text.splitlines()[line]
    assert row.startswith(before), (row, before)
    return Point(line, len(before.encode()), len(before), len(before.encode("utf-16-le")) // 2)


def settings(path: str, text: str) -> SettingsFacts:
    read = read_settings(path, text.encode())
    assert read is not None
    return read


def by_key(facts: SettingsFacts) -> dict[tuple[str, ...], SettingFact]:
    return {s.key: s for s in facts.settings}


COMPOSE = (
    "# Compose file of the chat\r\n"
    "services:\r\n"
    "  chat-wéb😀: {scale: 1}  # rooms live in memory — un seul processus 😀\r\n"
    "  worker:\r\n"
    "    image: worker:latest\r\n"
    "    deploy:\r\n"
    "      # pinned: the scheduler keeps its queue in process\r\n"
    "      # (see docs/ops.md)\r\n"
    "      replicas: 1\r\n"
    "      mode: replicated\r\n"
)


def test_compose_replicas_and_scale_with_exact_positions_and_comments() -> None:
    facts = settings("/app/docker-compose.yml", COMPOSE)
    assert facts.kind == "docker-compose" and not facts.has_errors
    found = by_key(facts)
    assert set(found) == {
        ("services", "chat-wéb😀", "scale"),
        ("services", "worker", "deploy", "replicas"),
        ("services", "worker", "deploy", "mode"),
    }  # the image is not a setting any kind asks for
    scale_ = found["services", "chat-wéb😀", "scale"]
    assert scale_.value == "1"
    assert scale_.span.start == point(COMPOSE, 2, "  chat-wéb😀: {scale: ")
    assert scale_.span.end == point(COMPOSE, 2, "  chat-wéb😀: {scale: 1")
    assert scale_.comment == "rooms live in memory — un seul processus 😀"
    replicas = found["services", "worker", "deploy", "replicas"]
    assert (replicas.value, replicas.span.start) == ("1", point(COMPOSE, 8, "      replicas: "))
    assert replicas.comment == "pinned: the scheduler keeps its queue in process (see docs/ops.md)"
    assert COMPOSE.encode()[replicas.span.start_byte : replicas.span.end_byte] == b"1"
    assert found["services", "worker", "deploy", "mode"].comment == ""


KUBERNETES = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "chat-é"
spec:
  replicas: &one 1 # sticky sessions: one pod
---
apiVersion: v1
kind: Service
metadata: {name: chat}
---
kind: StatefulSet
metadata:
  name: 'rooms'
spec:
  replicas: *one
---
kind: HorizontalPodAutoscaler
spec:
  minReplicas: 2
  maxReplicas: 10
"""


def test_kubernetes_documents_each_with_kind_name_and_replicas() -> None:
    facts = settings("/app/deploy/chat.yaml", KUBERNETES)
    assert facts.kind == "kubernetes"
    rows = [(s.document, s.key, s.value) for s in facts.settings]
    assert rows == [
        (0, ("kind",), "Deployment"),
        (0, ("metadata", "name"), "chat-é"),
        (0, ("spec", "replicas"), "1"),
        (1, ("kind",), "Service"),
        (1, ("metadata", "name"), "chat"),
        (2, ("kind",), "StatefulSet"),
        (2, ("metadata", "name"), "rooms"),
        (2, ("spec", "replicas"), "1"),  # an alias to a scalar anchor reads as that scalar
        (3, ("kind",), "HorizontalPodAutoscaler"),
        (3, ("spec", "minReplicas"), "2"),
        (3, ("spec", "maxReplicas"), "10"),
    ]
    aliased = facts.settings[7]
    assert aliased.span.start == point(KUBERNETES, 15, "  replicas: ")  # where the alias is written
    assert facts.settings[2].comment == "sticky sessions: one pod"


def test_yaml_that_is_no_manifest_is_not_a_settings_file() -> None:
    assert read_settings("/app/.github/workflows/ci.yml", b"on: push\njobs: {}\n") is None
    assert read_settings("/app/values.yaml", b"# kind: Deployment\nreplicas: 3\n") is None
    assert kind_for_path("/app/ecosystem.config.js") is None  # JavaScript: a source file
    assert read_settings("/app/cable.yml", CABLE.encode()) is None  # only config/cable.yml is Action Cable's


PM2_JSON = (
    "{\r\n"
    "  // one process: presence is kept in memory\r\n"
    '  "apps": [{"name": "tchat-é😀", "instances": 1, "exec_mode": "fork"},\r\n'
    '           {"name": "api", "instances": "max", /* cluster */ "exec_mode": "cluster"}]\r\n'
    "}\r\n"
)


def test_pm2_json_with_comments() -> None:
    facts = settings("/app/ecosystem.config.json", PM2_JSON)
    assert facts.kind == "pm2" and not facts.has_errors
    found = by_key(facts)
    instances = found["apps", "0", "instances"]
    assert instances.value == "1"
    assert instances.span.start == point(PM2_JSON, 2, '  "apps": [{"name": "tchat-é😀", "instances": ')
    assert instances.comment == "one process: presence is kept in memory"
    assert found["apps", "0", "name"].value == "tchat-é😀"
    assert found["apps", "1", "instances"].value == "max"
    assert found["apps", "1", "exec_mode"].value == "cluster"


def test_pm2_yaml() -> None:
    text = "apps:\n  - name: chat\n    script: server.js\n    instances: 4\n    exec_mode: cluster\n"
    found = by_key(settings("/app/ecosystem.config.yml", text))
    assert found["apps", "0", "instances"].value == "4"
    assert found["apps", "0", "instances"].span.start == point(text, 3, "    instances: ")
    assert ("apps", "0", "script") not in found


PROCFILE = (
    "# web: one dyno, the rooms are in process memory\r\n"
    "web: gunicorn -w 4 --worker-class eventlet app:app # quatre travailleurs — é\r\n"
    "\r\n"
    "worker: python worker.py --tag '#nightly'\r\n"
    "release: ./manage.py migrate\r\n"
)


def test_procfile_process_types_commands_and_comments() -> None:
    facts = settings("/app/Procfile", PROCFILE)
    assert facts.kind == "procfile" and not facts.has_errors
    web, worker, release = facts.settings
    assert (web.key, web.value) == (("web",), "gunicorn -w 4 --worker-class eventlet app:app")
    assert web.span.start == point(PROCFILE, 1, "web: ")
    assert web.span.end == point(PROCFILE, 1, "web: gunicorn -w 4 --worker-class eventlet app:app")
    assert web.comment == "quatre travailleurs — é"
    assert worker.value == "python worker.py --tag '#nightly'"  # a `#` inside quotes is the command's
    assert worker.comment == ""
    assert release.key == ("release",)
    assert settings("/app/Procfile", "web: node server.js\nnot a process line\n").has_errors


def test_procfile_comment_above_a_process() -> None:
    text = "# one instance: sessions are in memory\nweb: node server.js\n"
    (web,) = settings("/app/Procfile", text).settings
    assert web.comment == "one instance: sessions are in memory"


CABLE = """\
development:
  adapter: async

test:
  adapter: test

production:
  adapter: redis # shared across instances
  url: <%= ENV.fetch("REDIS_URL") { "redis://localhost:6379/1" } %>
  channel_prefix: chat_production
"""


def test_action_cable_adapter_per_environment() -> None:
    facts = settings("/app/config/cable.yml", CABLE)
    assert facts.kind == "rails-cable"
    assert [(s.key, s.value, s.comment) for s in facts.settings] == [
        (("development", "adapter"), "async", ""),
        (("test", "adapter"), "test", ""),
        (("production", "adapter"), "redis", "shared across instances"),
    ]  # the URL (which may hold a password) is not kept


def test_every_kind_reads_a_file_named_like_it() -> None:
    """Each table entry is reachable by its own names (no entry shadowed by an earlier one)."""
    for kind in FILE_KINDS:
        for name in kind.names:
            path = "/app/" + name.replace("*", "prod")
            assert kind_for_path(path) is not None, path
            assert any(g.endswith(name) for g in watch_globs())


# --- hostile input --------------------------------------------------------------------------------

BROKEN = {
    "docker-compose.yml": b"services:\n  web: {scale: 2\n  worker: [\n\t- x: : :\n",
    "ecosystem.config.json": b'{"apps": [{"instances": 1,, "name": }\n',
    "config/cable.yml": b"production:\n  adapter: redis\n  - nope\n'unterminated\n",
    "Procfile": b"\x00web node\n:::\n",
    "k8s.yaml": b'kind: Deployment\nspec: {replicas: "2\n',
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_never_raise(name: str) -> None:
    read = read_settings_file("/app/" + name, BROKEN[name])
    assert read is None or isinstance(read, SettingsFacts)
    if isinstance(read, SettingsFacts):
        assert read.has_errors


@pytest.mark.timeout(scale.timeout(30, 300))
@pytest.mark.parametrize(
    ("name", "opening", "closing"),
    [
        ("ecosystem.config.json", b"[", b"]"),
        ("ecosystem.config.json", b'{"a":', b"}"),
        ("docker-compose.yml", b"[", b"]"),  # YAML flow collections
        ("docker-compose.yml", b"{a: ", b"}"),
    ],
)
def test_deep_nesting_is_skipped_with_its_reason(name: str, opening: bytes, closing: bytes) -> None:
    depth = scale.size(5_000, 300_000)
    read = read_settings_file("/app/" + name, opening * depth + b"1" + closing * depth)
    assert read is not None and not isinstance(read, SettingsFacts)
    assert read.reason == "nested more than 500 levels deep"


DEEP_YAML = {  # each crashed the YAML grammar's scanner (a write past its state buffer) at this depth
    "indented keys": b"".join(b" " * i + b"k:\n" for i in range(300)),
    "indented keys, CR line ends": b"".join(b" " * i + b"k:\r" for i in range(300)),
    "dashes on one line": b"- " * 300,
    "question marks on one line": b"? " * 300,
    "sequences of mappings": b"".join(b"  " * i + b"- k:\n" for i in range(130)),
    "sequences at their key's column": b"".join(
        b"  " * (i // 2) + (b"k:\n" if i % 2 == 0 else b"- k2:\n") for i in range(260)
    ),
}


@pytest.mark.parametrize("shape", sorted(DEEP_YAML))
def test_yaml_nested_past_what_its_grammar_survives_is_skipped(shape: str) -> None:
    read = read_settings_file("/app/docker-compose.yml", DEEP_YAML[shape])
    assert read is not None and not isinstance(read, SettingsFacts)
    assert read.reason == "nested more than 200 block levels deep"


def test_check_survives_a_compose_file_nested_too_deeply(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    (project / "docker-compose.yml").write_bytes(DEEP_YAML["indented keys"])
    result = run_cli("check", ".", cwd=project)
    assert result.code == 1, result.stderr  # the server.js finding; no crash
    assert "skipped docker-compose.yml: nested more than 200 block levels deep" in result.stderr


@pytest.mark.timeout(scale.timeout(30, 300))
def test_yaml_bomb_is_read_without_expanding_aliases() -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for number in range(1, 12):
        previous, name = chr(ord("a") + number - 1), chr(ord("a") + number)
        levels.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    text = "\n".join(levels) + "\nservices:\n  web:\n    scale: *l\n    deploy: {replicas: &n 1}\n"
    text += "  worker:\n    deploy:\n      replicas: *n\n"
    found = by_key(settings("/app/docker-compose.yml", text))
    assert found["services", "web", "scale"].value == "*l"  # an alias to a sequence stays as written
    assert found["services", "worker", "deploy", "replicas"].value == "1"


def test_binary_oversized_and_undecodable_files() -> None:
    binary = read_settings_file("/app/Procfile", bytes(range(256)) * 40)
    assert binary is not None and not isinstance(binary, SettingsFacts) and binary.reason == "binary content"
    large = read_settings_file("/app/Procfile", b"web: x\n" * 100, max_bytes=100)
    assert large is not None and not isinstance(large, SettingsFacts) and large.reason.startswith("larger")
    latin = read_settings_file("/app/Procfile", "# d\xe9j\xe0 un seul\nweb: node s.js\n".encode("latin-1"))
    assert isinstance(latin, SettingsFacts) and latin.settings[0].comment == "d\ufffdj\ufffd un seul"


def test_long_values_are_cut() -> None:
    (web,) = settings("/app/Procfile", "web: " + "x" * 5000 + "\n").settings
    assert len(web.value) == 500 and web.value.endswith("…")
    assert web.span.end.byte == 5005  # the span still covers what is written


# --- cache, scan and live workspace ---------------------------------------------------------------

SERVER_JS = (
    'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'
    'const online = new Map();\nio.on("connection", (socket) => { online.set(socket.id, 1); });\n'
)


def make_project(root: Path) -> Path:
    (root / "k8s").mkdir(parents=True)
    (root / "config").mkdir()
    (root / "package.json").write_text('{"dependencies": {"socket.io": "^4"}}')
    (root / "server.js").write_text(SERVER_JS)
    (root / "Procfile").write_bytes(PROCFILE.encode())
    (root / "docker-compose.yml").write_bytes(COMPOSE.encode())
    (root / "ecosystem.config.json").write_bytes(PM2_JSON.encode())
    (root / "k8s" / "chat.yaml").write_text(KUBERNETES)
    (root / "config" / "cable.yml").write_text(CABLE)
    (root / "openapi.yaml").write_text("openapi: 3.0.0\n")  # any other YAML: not read
    return root


def test_cache_round_trip_of_settings_facts(tmp_path: Path) -> None:
    facts = settings("/app/docker-compose.yml", COMPOSE)
    assert decode_settings_facts(json.loads(json.dumps(to_json(facts)))) == facts
    project = make_project(tmp_path / "app")
    cache_dir = str(tmp_path / "cache")
    cold = scan([str(project)], cwd=str(project), cache_dir=cache_dir)
    cache = FactsCache(cache_dir, str(project), [str(project)])
    cached = {path: entry[3] for path, entry in cache.entries.items()}
    assert {os.path.basename(p) for p, f in cached.items() if isinstance(f, SettingsFacts)} == {
        "Procfile", "docker-compose.yml", "ecosystem.config.json", "chat.yaml", "cable.yml",
    }  # fmt: skip
    warm = scan([str(project)], cwd=str(project), cache_dir=cache_dir)
    assert warm.project_settings == cold.project_settings
    assert warm.findings == cold.findings and warm.files_scanned == cold.files_scanned == 1


def test_damaged_settings_entry_makes_the_cache_ignored(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    cache_dir = str(tmp_path / "cache")
    first = scan([str(project)], cwd=str(project), cache_dir=cache_dir)
    cache_file = FactsCache(cache_dir, str(project), [str(project)]).path
    lines = Path(cache_file).read_text().splitlines()
    damaged = [
        line.replace('{"settings":[', '{"settings":[1,', 1) if '{"settings"' in line else line
        for line in lines
    ]
    Path(cache_file).write_text("\n".join(damaged) + "\n")
    assert FactsCache(cache_dir, str(project), [str(project)]).entries == {}
    again = scan([str(project)], cwd=str(project), cache_dir=cache_dir)
    assert again.project_settings == first.project_settings


def test_scan_and_live_workspace_give_the_same_settings(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    result = scan([str(project)], cwd=str(project))
    from_scan = result.project_settings[str(project)]
    assert [(os.path.relpath(f.path, project), f.kind) for f in from_scan] == [
        ("Procfile", "procfile"),
        ("config/cable.yml", "rails-cable"),
        ("docker-compose.yml", "docker-compose"),
        ("ecosystem.config.json", "pm2"),
        ("k8s/chat.yaml", "kubernetes"),
    ]
    assert result.files_scanned == 1 and result.skipped == []
    live = LiveWorkspace()
    live.index_folder(str(project))
    root = live.project_of(str(project / "server.js"))
    assert live.result(root).settings == from_scan
    # the source findings are those of the scan (in another order: the scan sorts them)
    assert sorted(live.result(root).findings, key=repr) == sorted(result.findings, key=repr)


def test_editing_an_open_settings_file_updates_its_facts(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    live = LiveWorkspace()
    live.index_folder(str(project))
    root = live.project_of(str(project / "server.js"))
    compose = str(project / "docker-compose.yml")
    document = live.open_settings(compose, 1, COMPOSE)
    assert document is not None
    # `{scale: 1}` on line 2 becomes `{scale: 3}`: a UTF-16 column, after a character outside the BMP
    column = point(COMPOSE, 2, "  chat-wéb😀: {scale: ").utf16
    document.edit((2, column), (2, column + 1), "3", "utf-16")
    live.changed(compose)
    facts = next(f for f in live.result(root).settings if f.path == compose)
    scale_ = by_key(facts)["services", "chat-wéb😀", "scale"]
    assert scale_.value == "3" and scale_.comment.startswith("rooms live in memory")
    # a new line above moves every later position
    document.edit((0, 0), (0, 0), "# é\r\n", "utf-16")
    live.changed(compose)
    facts = next(f for f in live.result(root).settings if f.path == compose)
    assert by_key(facts)["services", "worker", "deploy", "replicas"].span.start.line == 9
    document.replace("services: [\n", 3)
    live.changed(compose)
    assert next(f for f in live.result(root).settings if f.path == compose).has_errors
    live.close(compose)  # back to what is on disk
    on_disk = next(f for f in live.result(root).settings if f.path == compose)
    assert by_key(on_disk)["services", "chat-wéb😀", "scale"].value == "1"


def test_a_yaml_file_becomes_a_manifest_on_disk(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    live = LiveWorkspace()
    live.index_folder(str(project))
    root = live.project_of(str(project / "server.js"))
    other = project / "openapi.yaml"
    assert str(other) not in {f.path for f in live.result(root).settings}
    other.write_text("kind: Deployment\nspec:\n  replicas: 2\n")
    assert live.refresh_from_disk(str(other)) is None
    assert str(other) in {f.path for f in live.result(root).settings}
    other.write_text("openapi: 3.0.0\n")
    live.refresh_from_disk(str(other))
    assert str(other) not in {f.path for f in live.result(root).settings}


def test_check_names_an_unreadable_settings_file_but_not_any_other_yaml(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    (project / "Procfile").write_bytes(b"web: node server.js\n" + b"\x00\x01\x02\x03" * 3000)
    (project / "fixtures.yaml").write_bytes(b"\x00\x01\x02\x03" * 3000)
    result = run_cli("check", ".", "--format", "json", cwd=project)
    skipped = {(s["path"], s["reason"]) for s in result.json()["skipped"]}
    assert skipped == {("Procfile", "binary content")}
    assert result.json()["files_scanned"] == 1
