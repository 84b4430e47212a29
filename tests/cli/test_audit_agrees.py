"""The language server's `hscale.audit` answers with what `hscale-ls audit --format json` prints for
the same folder: one function writes both, so an editor and CI never disagree on the verdict."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.conftest import EXAMPLES, run_cli
from tests.server.harness import Editor

EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


async def server_audit(editor: Editor, expected: Any) -> Any:
    """`hscale.audit` for the whole workspace, once the index has read every file (or the last answer)."""
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        found = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="hscale.audit", arguments=[])
        )
        if found == expected or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
async def test_hscale_audit_equals_the_cli_audit_json(editor_factory, name: str) -> None:
    root = EXAMPLES / name
    done = run_cli("audit", "--no-cache", "--format", "json", cwd=root)
    assert done.code in (0, 1, 3), done.stderr
    editor: Editor = await editor_factory("vscode", root, "--no-cache")
    await editor.start(init_options={"debounceMs": 0})
    assert await server_audit(editor, done.json()) == done.json()


async def test_a_workspace_of_several_folders_is_shown_from_the_folder_that_holds_them(
    editor_factory, tmp_path: Path
) -> None:
    folders = [tmp_path / name for name in ("socketio-cjs-memory", "socketio-cjs-redis")]
    for folder in folders:
        shutil.copytree(EXAMPLES / folder.name, folder)
    done = run_cli("audit", "--no-cache", "--format", "json", cwd=tmp_path)
    assert done.code == 1, done.stderr
    editor: Editor = await editor_factory("vscode", folders[0], "--no-cache")
    await editor.start(init_options={"debounceMs": 0}, folders=folders)
    found = await server_audit(editor, done.json())
    assert [p["project"] for p in found["projects"]] == ["socketio-cjs-memory", "socketio-cjs-redis"]
    assert found == done.json()
