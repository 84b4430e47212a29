"""The framework registry is the one place a framework is described, and what it says holds end to end.

A framework whose handlers are not recognised, or whose in-process `publish` counts as a shared
backend, fails here through the real CLI.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from hscale_ls.analysis.engine import read_facts
from hscale_ls.analysis.frameworks import FRAMEWORKS, markdown_table
from hscale_ls.analysis.languages import language_for_path
from hscale_ls.analysis.rules import RULES
from hscale_ls.fixes import FRAMEWORK_FIXES
from tests.conftest import FIXTURES, ROOT, run_cli


@cache
def _fixture_frameworks() -> dict[str, set[str]]:
    """`ServerSite.framework` values each fixture folder produces -> "flagged" / "clean" folders."""
    found: dict[str, set[str]] = {}
    cases: list[tuple[Path, str]] = []
    for rule in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for case in sorted(p for p in rule.iterdir() if p.is_dir()):
            if rule.name == "idioms":  # each idiom: a flagged side and a silent look-alike
                cases += [(case / "flagged", "flagged"), (case / "silent", "clean")]
            elif rule.name == "not-flagged" or case.name.startswith("clean"):
                cases.append((case, "clean"))
            else:
                cases.append((case, "flagged"))
    for folder, variant in cases:
        for path in folder.rglob("*"):
            if path.is_file() and language_for_path(path.name):
                facts = read_facts(str(path))
                for server in getattr(facts, "servers", ()):
                    found.setdefault(server.framework, set()).add(f"{variant}:{folder.relative_to(FIXTURES)}")
    return found


@pytest.mark.parametrize("framework", [f.id for f in FRAMEWORKS])
def test_every_framework_has_a_flagged_and_a_clean_fixture(framework: str) -> None:
    record = next(f for f in FRAMEWORKS if f.id == framework)
    folders = set().union(*(_fixture_frameworks().get(k.id, set()) for k in record.kinds))
    variants = {folder.split(":")[0] for folder in folders}
    assert variants == {"clean", "flagged"}, f"{framework}: fixture folders {sorted(folders)}"


def test_server_kinds_are_unique_and_their_fixes_resolve() -> None:
    kinds = [k.id for f in FRAMEWORKS for k in f.kinds]
    assert len(kinds) == len(set(kinds))
    for framework in FRAMEWORKS:
        assert framework.families and framework.kinds and framework.kinds[0].id == framework.id
        for kind in framework.kinds:
            assert kind.display and (not kind.fix or kind.fix in FRAMEWORK_FIXES), kind
            assert not kind.shared_by or kind.no_shared_fanout, f"{kind.id}: no text for in-process fan-out"
            # a framework that publishes in process must also say what fans out for it
            if framework.in_process_publish:
                assert kind.suggestion, kind.id


def test_readme_framework_table_is_the_registry() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- frameworks:[^>]*-->\n(.*?)<!-- /frameworks -->", readme, re.S)
    assert block is not None and block.group(1) == markdown_table()


def test_readme_and_vscode_list_the_rule_catalog() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| \[`([\w-]+)`\]\(#[\w-]+\) \| (\w+) \|", readme, re.M)
    assert rows == [(rule.id, rule.state_type) for rule in RULES.values()]
    for rule in RULES:
        assert f"\n### {rule}\n" in readme
    package = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text())
    enums = [
        setting["items"]["enum"]
        for setting in package["contributes"]["configuration"]["properties"].values()
        if setting.get("items", {}).get("enum")
    ]
    assert enums == [list(RULES)]


UWS_FLAGGED = FIXTURES / "presence-in-memory" / "flagged-js-uws"
UWS_CLEAN = FIXTURES / "presence-in-memory" / "clean-js-uws"


def _check(folder: Path) -> dict[str, object]:
    result = run_cli("check", "--format", "json", str(folder))
    assert result.code in (0, 1), result.stderr
    payload: dict[str, object] = json.loads(result.stdout)
    return payload


def _audit(folder: Path) -> dict[str, object]:
    result = run_cli("audit", "--format", "json", str(folder))
    assert result.code in (0, 1, 3), result.stderr  # pass, fail, skip
    payload: dict[str, object] = json.loads(result.stdout)
    return payload


def _locations(audit: dict[str, object]) -> list[dict[str, object]]:
    projects = audit.get("projects") or [audit]
    return [loc for project in projects for loc in project["locations"]]  # type: ignore[attr-defined, index]


def test_uws_behaviour_object_functions_are_handlers() -> None:
    # `app.ws("/*", { open: (ws) => online.set(...) })`: the write happens in a real-time handler;
    # `app.publish(...)` with no bridge reaches this process's subscribers only: the app is reported
    findings = _check(UWS_FLAGGED)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [  # type: ignore[index, union-attr]
        ("presence-in-memory", 5),
        ("subscriptions-in-memory", 7),
    ]


def test_uws_in_process_publish_is_not_a_shared_backend() -> None:
    # `app.publish(topic, message)` reaches this process's subscribers only, even with Redis imported
    audit = _audit(UWS_FLAGGED)
    assert audit["verdict"] == "fail"
    assert [loc for loc in _locations(audit) if loc["storage"] != "memory"] == []


def test_uws_redis_publish_next_to_app_publish_still_counts() -> None:
    audit = _audit(UWS_CLEAN)
    assert audit["verdict"] == "pass"
    shared = {(loc["name"], loc["storage"]) for loc in _locations(audit)}
    assert ("pub/sub publish", "redis") in shared and ("pub/sub subscribe", "redis") in shared


BUN_FLAGGED = FIXTURES / "subscriptions-in-memory" / "flagged-js-bun"
BUN_CLEAN = FIXTURES / "subscriptions-in-memory" / "clean-js-bun"


def test_bun_websocket_handlers_and_in_process_topics_are_flagged() -> None:
    findings = _check(BUN_FLAGGED)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [  # type: ignore[index, union-attr]
        ("presence-in-memory", 2),  # `online.set` in `websocket.open`
        ("subscriptions-in-memory", 4),  # `server.publish` / `ws.publish` with no bridge
    ]


def test_bun_server_publish_never_counts_as_redis(tmp_path: Path) -> None:
    # Redis is imported (for presence), but the rooms go through `server.publish` only
    (tmp_path / "package.json").write_text('{"dependencies": {"redis": "^4.7.0"}}')
    (tmp_path / "server.ts").write_text(
        'import { createClient } from "redis";\n'
        "const redis = createClient();\n"
        "const server = Bun.serve({\n"
        "  fetch(req, server) { server.upgrade(req); },\n"
        "  websocket: {\n"
        '    async open(ws) { await redis.zAdd("presence", { score: Date.now(), value: "u" }); },\n'
        '    message(ws, m) { ws.subscribe("lobby"); server.publish("lobby", m); },\n'
        "  },\n"
        "});\n"
    )
    audit = _audit(tmp_path)
    names = [loc["name"] for loc in _locations(audit)]
    assert "pub/sub publish" not in names
    assert audit["external_state_types"] == ["presence"]
    findings = _check(tmp_path)["findings"]
    assert [f["rule"] for f in findings] == ["subscriptions-in-memory"]  # type: ignore[index, union-attr]


def test_bun_rooms_bridged_through_redis_are_clean() -> None:
    assert _check(BUN_CLEAN)["findings"] == []
    assert _audit(BUN_CLEAN)["verdict"] == "pass"


def test_bun_serve_without_websocket_is_no_real_time_server(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "server.ts").write_text(
        'const hits = new Map();\nBun.serve({ fetch(req) { hits.set(req.url, 1); return new Response("ok"); } });\n'
    )
    assert _audit(tmp_path)["verdict"] == "skip"


def test_express_io_adapter_set_on_app_io_shares_its_rooms(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"express.oi": "^0.0.21", "socket.io-redis": "^5.4.0"}}'
    )
    (tmp_path / "app.js").write_text(
        'const app = require("express.oi")();\n'
        'const redisAdapter = require("socket.io-redis");\n'
        "app.http().io();\n"
        'app.io.adapter(redisAdapter({ host: "localhost", port: 6379 }));\n'
        'app.io.route("join", (req) => { req.io.join(req.data); app.io.room(req.data).broadcast("joined"); });\n'
        "app.listen(3000);\n"
    )
    assert _check(tmp_path)["findings"] == []
    assert _audit(tmp_path)["verdict"] == "pass"


def test_route_on_an_express_router_registers_no_real_time_handler(tmp_path: Path) -> None:
    # `route` registers express.io handlers only on `app.io` / `req.io`: an Express router's `route`
    # next to a Socket.IO server that only answers the sender makes no handler and no fan-out
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^4.19.0", "socket.io": "^4.8.1"}}')
    (tmp_path / "app.js").write_text(
        'const { Server } = require("socket.io");\n'
        'const router = require("express").Router();\n'
        "const io = new Server(3000);\n"
        "const users = {};\n"
        'router.route("/a", (req) => { users[req.query.id] = req.query.name; });\n'
        'router.broadcast("x");\n'
        'io.on("connection", (socket) => socket.emit("hello"));\n'
    )
    assert _check(tmp_path)["findings"] == []
    assert _audit(tmp_path)["verdict"] == "skip"


def test_one_server_built_in_either_branch_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"socket.io": "^4.8.1"}}')
    (tmp_path / "server.js").write_text(
        'const { Server } = require("socket.io");\n'
        "let io;\n"
        'if (process.env.TLS) io = new Server(require("https").createServer());\n'
        "else io = new Server(3000);\n"
        'io.on("connection", (socket) => socket.join("lobby"));\n'
    )
    findings = _check(tmp_path)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("subscriptions-in-memory", 3)]  # type: ignore[index]


def _gateway(name: str, port: str, event: str) -> str:
    return (
        'import { WebSocketGateway, WebSocketServer, SubscribeMessage } from "@nestjs/websockets";\n'
        'import { Server } from "socket.io";\n'
        f"@WebSocketGateway({port})\n"
        f"export class {name} {{\n"
        "  @WebSocketServer() server: Server;\n"
        f'  @SubscribeMessage("{event}")\n'
        "  relay(client: any, body: any) {\n"
        f'    this.server.emit("{event}", body);\n'
        "  }\n"
        "}\n"
    )


def test_nest_gateways_on_one_port_are_one_server(tmp_path: Path) -> None:
    """Gateways without a port of their own share the application's Socket.IO server: one missing
    adapter, one finding (at the first gateway); a gateway on a port of its own is another server."""
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"@nestjs/websockets": "^10.0.0", "socket.io": "^4.8.1"}}'
    )
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "chat.gateway.ts").write_text(_gateway("ChatGateway", "{ cors: true }", "chat"))
    (tmp_path / "users").mkdir()
    (tmp_path / "users" / "users.gateway.ts").write_text(_gateway("UsersGateway", "", "online"))
    findings = _check(tmp_path)["findings"]
    assert [(f["path"].rpartition("/")[2], f["rule"]) for f in findings] == [  # type: ignore[index]
        ("chat.gateway.ts", "subscriptions-in-memory")
    ]
    (tmp_path / "games").mkdir()
    (tmp_path / "games" / "games.gateway.ts").write_text(_gateway("GamesGateway", "4001", "move"))
    findings = _check(tmp_path)["findings"]
    assert sorted(f["path"].rpartition("/")[2] for f in findings) == [  # type: ignore[index]
        "chat.gateway.ts",
        "games.gateway.ts",
    ]
