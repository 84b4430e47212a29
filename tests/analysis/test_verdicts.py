"""The horizontal-scaling-ready verdict for every bundled example: in-memory variants fail with the
state types they keep in memory, externalised variants pass, client-only and single-instance apps skip."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, run_cli

ALL = ("presence", "subscriptions", "history")
FAILING = {
    "socketio-cjs-memory": ALL,
    "socketio-esm-memory": ALL,
    "socketio-ts-memory": ALL,
    "nestjs-memory": ALL,
    "ws-memory": ALL,
    "sse-memory": ("subscriptions", "history"),
    "python-socketio-memory": ALL,
    "flask-socketio-memory": ALL,
    "django-channels-memory": ALL,
    "fastapi-memory": ALL,
}
PASSING = [name.replace("-memory", "-redis") for name in FAILING]


def test_every_example_is_covered() -> None:
    present = {p.name for p in EXAMPLES.iterdir() if p.is_dir()}
    assert present == set(FAILING) | set(PASSING) | {"client-only", "single-instance", *PARTLY_SHARED}


# rooms fan out through Redis and an archive is in the database, but recent history is in process
PARTLY_SHARED = {"python-socketio-sqlalchemy": (("subscriptions",), ("history",))}


@pytest.mark.parametrize("name", sorted(PARTLY_SHARED))
def test_partly_shared_example_fails_on_what_stays_in_memory(name: str) -> None:
    audit = run_cli("audit", str(EXAMPLES / name), "--format", "json").json()
    external, memory = PARTLY_SHARED[name]
    assert audit["verdict"] == "fail"
    assert tuple(audit["external_state_types"]) == external
    assert tuple(audit["memory_state_types"]) == memory


@pytest.mark.parametrize("name", sorted(FAILING))
def test_in_memory_variant_fails_with_its_state_types(name: str) -> None:
    result = run_cli("audit", str(EXAMPLES / name), "--format", "json")
    audit = result.json()
    assert result.code == 1
    assert audit["verdict"] == "fail"
    assert tuple(audit["memory_state_types"]) == FAILING[name]
    assert audit["external_state_types"] == []
    assert "process memory only" in audit["detail"]
    assert all(loc["storage"] == "memory" for loc in audit["locations"])


@pytest.mark.parametrize("name", sorted(PASSING))
def test_externalised_variant_passes(name: str) -> None:
    result = run_cli("audit", str(EXAMPLES / name), "--format", "json")
    audit = result.json()
    assert result.code == 0, audit
    assert audit["verdict"] == "pass"
    assert len(audit["external_state_types"]) >= 2
    assert audit["backends"], audit
    assert audit["memory_state_types"] == []


@pytest.mark.parametrize("name", sorted(PASSING))
def test_externalised_variant_has_no_findings(name: str) -> None:
    result = run_cli("check", str(EXAMPLES / name), "--format", "json")
    assert result.code == 0
    assert result.json()["findings"] == []


def test_client_only_app_is_skipped_for_having_no_server() -> None:
    result = run_cli("audit", str(EXAMPLES / "client-only"), "--format", "json")
    assert result.code == 3
    assert result.json()["verdict"] == "skip"
    assert "No real-time server" in result.json()["detail"]


def test_declared_single_instance_app_is_skipped_and_quiet() -> None:
    audit = run_cli("audit", str(EXAMPLES / "single-instance"), "--format", "json")
    assert audit.code == 3
    assert audit.json()["verdict"] == "skip"
    assert "single-instance" in audit.json()["detail"]
    check = run_cli("check", str(EXAMPLES / "single-instance"), "--format", "json")
    assert check.code == 0 and check.json()["findings"] == []


def test_scanning_all_examples_keeps_projects_apart() -> None:
    result = run_cli("audit", str(EXAMPLES), "--format", "json")
    data = result.json()
    assert result.code == 1
    verdicts = {p["project"].split("/")[-1]: p["verdict"] for p in data["projects"]}
    assert {n for n, v in verdicts.items() if v == "fail"} == set(FAILING) | set(PARTLY_SHARED)
    assert {n for n, v in verdicts.items() if v == "pass"} == set(PASSING)
