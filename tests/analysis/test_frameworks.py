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
    assert result.code in (0, 1), result.stderr
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
