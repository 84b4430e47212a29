"""Project boundaries and cross-file facts."""

from __future__ import annotations

from pathlib import Path

from hscale_ls.analysis.engine import scan
from hscale_ls.analysis.workspace import ProjectLocator

# the servers here put clients in rooms: a second instance would split them
NO_ADAPTER = 'import { Server } from "socket.io";\nexport const io = new Server(3000);\nio.on("connection", (s) => s.join("lobby"));\n'
ADAPTER = (
    'import { Server } from "socket.io";\nimport { createAdapter } from "@socket.io/redis-adapter";\n'
    "export const io = new Server(3000);\nio.adapter(createAdapter(pub, sub));\n"
)
ROOMS = 'import { io } from "./io.js";\nconst rooms = new Map();\nio.on("connection", (s) => rooms.set(s.id, 1));\n'


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def test_one_apps_adapter_does_not_hide_anothers_problem(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a/package.json": "{}",
            "a/io.js": ADAPTER,
            "a/rooms.js": ROOMS,
            "b/package.json": "{}",
            "b/io.js": NO_ADAPTER,
            "b/rooms.js": ROOMS,
        },
    )
    result = scan([str(tmp_path)], jobs=1)
    flagged = sorted((Path(f.path).parent.name, f.name) for f in result.findings)
    assert flagged == [("b", "io"), ("b", "rooms")]
    # a keeps nothing in memory and its adapter is Redis: it passes; b fails
    assert {Path(root).name: a.verdict for root, a in result.audits.items()} == {"a": "pass", "b": "fail"}


def test_adapter_in_another_file_clears_the_server_finding(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": "{}", "io.js": NO_ADAPTER, "rooms.js": ROOMS})
    assert {f.name for f in scan([str(tmp_path)], jobs=1).findings} == {"io", "rooms"}
    (tmp_path / "adapter.js").write_text(
        'import { createAdapter } from "@socket.io/redis-adapter";\nimport { io } from "./io.js";\n'
        "io.adapter(createAdapter(pub, sub));\n"
    )
    assert scan([str(tmp_path)], jobs=1).findings == []


def test_cluster_adapter_is_not_a_shared_backend(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": "{}",
            "io.js": NO_ADAPTER.replace(
                'socket.io";', 'socket.io";\nimport { createAdapter } from "@socket.io/cluster-adapter";'
            )
            + "io.adapter(createAdapter());\n",
        },
    )
    # the cluster adapter is an adapter (rooms reach every process of the host), so the server is
    # not reported as having none; but no state type is held in a shared backend, so it cannot pass
    result = scan([str(tmp_path)], jobs=1)
    assert result.findings == []
    assert [a.verdict for a in result.audits.values()] == ["skip"]


def test_project_root_is_nearest_marker_but_never_above_the_scan_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"package.json": "{}", "apps/chat/src/x.js": "", "apps/chat/package.json": "{}", "lib/y.js": ""},
    )
    locator = ProjectLocator()
    assert locator.root_for(str(tmp_path / "apps/chat/src/x.js"), str(tmp_path)) == str(
        tmp_path / "apps/chat"
    )
    assert locator.root_for(str(tmp_path / "lib/y.js"), str(tmp_path)) == str(tmp_path)
    assert locator.root_for(str(tmp_path / "lib/y.js"), str(tmp_path / "lib")) == str(tmp_path / "lib")


def test_parallel_scan_gives_the_same_findings(tmp_path: Path) -> None:
    for index in range(70):
        write(tmp_path / f"app{index}", {"package.json": "{}", "io.js": NO_ADAPTER, "rooms.js": ROOMS})
    serial = scan([str(tmp_path)], jobs=1)
    parallel = scan([str(tmp_path)], jobs=2)
    assert len(serial.findings) == 140
    assert [(f.path, f.rule, f.span) for f in serial.findings] == [
        (f.path, f.rule, f.span) for f in parallel.findings
    ]


def test_unreadable_and_binary_files_are_skipped_not_fatal(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": "{}", "io.js": NO_ADAPTER})
    (tmp_path / "blob.js").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin.js").write_bytes(b"const caf\xe9 = new Map();\n")
    result = scan([str(tmp_path)], jobs=1)
    assert [s.reason for s in result.skipped] == ["binary content"]
    assert result.files_scanned == 2


def test_options_built_elsewhere_are_not_reported_but_visible_ones_are(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a/package.json": "{}",
            "a/io.js": 'import { Server } from "socket.io";\nconst options = { cors: {} };\nexport const io = new Server(3000, options);\nio.emit("x");\n',
            "b/package.json": "{}",
            "b/io.js": 'import { Server } from "socket.io";\nimport { options } from "./config.js";\nexport const io = new Server(3000, options);\nio.emit("x");\n',
            "c/package.json": "{}",
            "c/io.js": 'import { Server } from "socket.io";\nexport const io = new Server(3000, { ...base, cors: {} });\nio.emit("x");\n',
            "d/requirements.txt": "python-socketio\n",
            "d/app.py": "import socketio\nsio = socketio.AsyncServer(**settings.SOCKETIO)\nsio.emit('x')\n",
            "e/requirements.txt": "python-socketio\n",
            "e/app.py": "import socketio\nsio = socketio.AsyncServer(async_mode='asgi')\nsio.emit('x')\n",
        },
    )
    flagged = sorted(Path(f.path).parent.name for f in scan([str(tmp_path)], jobs=1).findings)
    # a: the options object is in view and has no adapter; e: nothing hides the missing manager
    assert flagged == ["a", "e"]
