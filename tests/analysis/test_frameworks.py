"""The framework registry is the one place a framework is described, and what it says holds end to end.

A framework whose handlers are not recognised, or whose in-process `publish` counts as a shared
backend, fails here through the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, run_cli

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
    # `app.ws("/*", { open: (ws) => online.set(...) })`: the write happens in a real-time handler
    findings = _check(UWS_FLAGGED)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("presence-in-memory", 5)]  # type: ignore[index, union-attr]


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
