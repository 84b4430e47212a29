"""Shared helpers: paths of the repository and a way to run the real CLI as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"


class CliResult:
    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        self.code = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path | str = ROOT, env: dict[str, str] | None = None) -> CliResult:
    completed = subprocess.run(
        [sys.executable, "-m", "hscale_ls", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return CliResult(completed)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory: pytest.TempPathFactory):
    """CLI runs in tests use their own facts cache, not the user's."""
    previous = os.environ.get("HSCALE_CACHE_DIR")
    os.environ["HSCALE_CACHE_DIR"] = str(tmp_path_factory.mktemp("hscale-cache"))
    yield
    if previous is None:
        os.environ.pop("HSCALE_CACHE_DIR", None)
    else:
        os.environ["HSCALE_CACHE_DIR"] = previous


@pytest_asyncio.fixture
async def editor_factory(tmp_path: Path) -> AsyncIterator[Callable[..., object]]:
    """Start real servers (one per call) against a workspace folder; shut them all down after."""
    from tests.server.harness import Editor, start_client

    editors: list[Editor] = []

    async def make(
        caps_name: str, root: Path | None = None, *arguments: str, env: dict[str, str] | None = None
    ) -> Editor:
        client = await start_client(*arguments, env=env)
        editor = Editor(client, root or tmp_path, caps_name)
        editors.append(editor)
        return editor

    yield make
    for editor in editors:
        try:
            await editor.client.shutdown_session()
        finally:
            await editor.client.stop()
