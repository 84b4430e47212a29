from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest_asyncio

from tests.server.harness import Editor, start_client


@pytest_asyncio.fixture
async def editor_factory(tmp_path: Path) -> AsyncIterator[Callable[..., object]]:
    """Start real servers (one per call) against a workspace folder; shut them all down after."""
    editors: list[Editor] = []

    async def make(caps_name: str, root: Path | None = None) -> Editor:
        client = await start_client()
        editor = Editor(client, root or tmp_path, caps_name)
        editors.append(editor)
        return editor

    yield make
    for editor in editors:
        try:
            await editor.client.shutdown_session()
        finally:
            await editor.client.stop()
