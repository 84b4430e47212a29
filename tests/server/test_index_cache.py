"""The server indexes a workspace through the same facts cache `check` uses, so reopening a large
project does not parse every file again. A file changed between sessions is read again (its findings
are those of its new text); a damaged cache file is ignored; `serve --no-cache` neither reads nor
writes one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lsprotocol import types

from tests.server.harness import Editor

SERVER_JS = (
    'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'
    'io.on("connection", (socket) => { socket.on("x", () => socket.join("x")); });\n'
)
USERS_JS = 'const io = require("./server");\nconst onlineUsers = new Map();\n'
USERS_WRITTEN = USERS_JS + 'io.on("connection", (socket) => onlineUsers.set(socket.id, 1));\n'


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HSCALE_CACHE_DIR", str(folder))  # the server processes inherit it
    return folder


def project(root: Path, users: str) -> Path:
    root.mkdir()
    (root / "package.json").write_text('{"dependencies": {"socket.io": "^4"}}')
    (root / "server.js").write_text(SERVER_JS)
    (root / "users.js").write_text(users)
    return root


async def session(editor_factory, root: Path, *arguments: str) -> tuple[int, set[str]]:
    """Start a server, wait for its index, and return how many files came from the cache and the
    names flagged across the workspace."""
    editor: Editor = await editor_factory("vscode-pull", root, *arguments)
    await editor.start(init_options={"debounceMs": 0})
    await editor.wait_for(lambda: any("indexed" in m.message for m in editor.client.log_messages))
    line = next(m.message for m in editor.client.log_messages if "indexed" in m.message)
    cached = re.search(r"(\d+) of them from the facts cache", line)
    assert cached is not None, line
    report = await editor.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    flagged = {
        d.message.split("`")[1]
        for item in report.items
        if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport)
        for d in item.items
        if "`" in d.message
    }
    return int(cached.group(1)), flagged  # the fixture shuts every server down at the end


async def test_a_second_session_reads_unchanged_files_from_the_cache(
    editor_factory, tmp_path: Path, cache_dir: Path
) -> None:
    root = project(tmp_path / "app", USERS_JS)
    from_cache, flagged = await session(editor_factory, root)
    assert from_cache == 0
    assert "onlineUsers" not in flagged and "io" in flagged
    assert len(list(cache_dir.glob("facts-*.json"))) == 1

    (root / "users.js").write_text(USERS_WRITTEN)  # changed between sessions
    from_cache, flagged = await session(editor_factory, root)
    assert from_cache == 1, "server.js did not change"
    assert "onlineUsers" in flagged, "users.js was read again, not taken from the cache"

    from_cache, flagged = await session(editor_factory, root)
    assert from_cache == 2
    assert "onlineUsers" in flagged


async def test_a_damaged_cache_file_is_ignored(editor_factory, tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path / "app", USERS_WRITTEN)
    await session(editor_factory, root)
    [cache_file] = cache_dir.glob("facts-*.json")
    cache_file.write_bytes(b"\x80\x04 not a pickle")
    from_cache, flagged = await session(editor_factory, root)
    assert from_cache == 0
    assert {"io", "onlineUsers"} <= flagged


async def test_no_cache_reads_and_writes_none(editor_factory, tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path / "app", USERS_WRITTEN)
    from_cache, flagged = await session(editor_factory, root, "--no-cache")
    assert from_cache == 0 and {"io", "onlineUsers"} <= flagged
    assert not cache_dir.exists() or not list(cache_dir.glob("facts-*.json"))


@pytest.mark.parametrize("foreign", ["owned by another user", "writable by others"])
async def test_a_cache_file_others_could_have_written_is_not_read(
    editor_factory, tmp_path: Path, cache_dir: Path, foreign: str
) -> None:
    root = project(tmp_path / "app", USERS_WRITTEN)
    await session(editor_factory, root)
    [cache_file] = cache_dir.glob("facts-*")
    if foreign == "owned by another user":
        if os.geteuid() != 0:
            pytest.skip("only root can give a file to another user")
        os.chown(cache_file, 65534, 65534)
    else:
        cache_file.chmod(0o666)
    from_cache, flagged = await session(editor_factory, root)
    assert from_cache == 0, "the cache file was read"
    assert {"io", "onlineUsers"} <= flagged


async def test_a_cache_directory_inside_the_workspace_is_not_used(
    editor_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache file the repository itself carries (here a pickle that would create a marker when
    loaded) is never read: the server indexes without a cache."""
    import hashlib
    import pickle

    root = project(tmp_path / "app", USERS_WRITTEN)
    marker = tmp_path / "marker"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str, str]]:
            return open, (str(marker), "w")

    inside = root / ".cache"
    inside.mkdir(mode=0o700)
    name = hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()
    (inside / f"facts-{name}.pickle").write_bytes(pickle.dumps(Payload()))
    monkeypatch.setenv("HSCALE_CACHE_DIR", str(inside))
    for _ in range(2):
        from_cache, flagged = await session(editor_factory, root)
        assert from_cache == 0 and {"io", "onlineUsers"} <= flagged
    assert not marker.exists(), "the cache file in the workspace was loaded"
    assert [p.suffix for p in inside.iterdir()] == [".pickle"], "nothing is written there"


async def test_a_project_level_finding_waits_for_the_first_index(editor_factory, tmp_path: Path) -> None:
    """Opened while the first index is still reading a large workspace, a server whose Redis adapter
    is set up in another file never shows "no adapter" (it would vanish once that file is read); the
    in-memory container in the same file is reported at once, and stays."""
    root = tmp_path / "big"
    root.mkdir()
    (root / "package.json").write_text(
        '{"dependencies": {"socket.io": "^4", "@socket.io/redis-adapter": "^8"}}'
    )
    (root / "server.js").write_text(
        SERVER_JS + "const online = new Map();\n"
        'io.on("connection", (socket) => online.set(socket.id, 1));\nmodule.exports = io;\n'
    )
    modules = root / "zz_modules"
    modules.mkdir()
    for n in range(3000):  # enough for the index to take a while on any machine
        (modules / f"m{n:04}.js").write_text(f"export const value{n} = {n};\n")
    (modules / "zz_adapter.js").write_text(
        'const { createAdapter } = require("@socket.io/redis-adapter");\n'
        'const { createClient } = require("redis");\nconst io = require("../server");\n'
        "const pub = createClient();\nio.adapter(createAdapter(pub, pub.duplicate()));\n"
    )
    editor: Editor = await editor_factory("neovim", root)
    await editor.start(init_options={"debounceMs": 0})
    uri = editor.open("server.js")
    await editor.wait_for(lambda: any("indexed" in m.message for m in editor.client.log_messages), 60)
    final = await editor.diagnostics("server.js", until=lambda d: any("online" in x.message for x in d))
    assert not any("adapter" in d.message for d in final)
    pushed = editor.client.pushed[uri]  # type: ignore[attr-defined]
    assert pushed, "nothing was published for the opened file"
    assert not any("adapter" in d.message for _, ds in pushed for d in ds), pushed
