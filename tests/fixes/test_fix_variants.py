"""The Socket.IO adapter fix in each of its shapes: module style, top-level await, ioredis, Redis
Streams for connection state recovery, RESP2 for node-redis 6, and unique names. Each server here
broadcasts or uses rooms, so it needs an adapter."""

from __future__ import annotations

import json
from pathlib import Path

from hscale_ls.analysis.live import LiveWorkspace
from hscale_ls.fixes.session import FixSession


def fixed(tmp_path: Path, files: dict[str, str], name: str) -> dict[str, str]:
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    live = LiveWorkspace()
    live.index_folder(str(tmp_path))
    session = FixSession(live)
    session.run()
    return {Path(p).name: c.decode() for p, c in session.changed().items()}


def test_esm_module_gets_top_level_await(tmp_path: Path) -> None:
    out = fixed(
        tmp_path,
        {
            "package.json": '{"type": "module"}',
            "s.js": "import { Server } from 'socket.io'\nconst io = new Server(3000)\nio.on('connection', (s) => s.join('lobby'))\n",
        },
        "s.js",
    )
    code = out["s.js"]
    assert (
        "import { createAdapter } from '@socket.io/redis-adapter'\n" in code
    )  # quotes and no semicolons kept
    assert (
        "await Promise.all([pubClient.connect(), subClient.connect()])\nio.adapter(createAdapter(pubClient, subClient))\n"
        in code
    )


def test_commonjs_gets_a_promise_chain_and_requires_before_use(tmp_path: Path) -> None:
    out = fixed(
        tmp_path,
        {
            "package.json": "{}",
            "s.js": 'const io = require("socket.io")(3000);\nconst x = require("./x");\nio.emit("x");\n',
        },
        "s.js",
    )
    code = out["s.js"]
    assert code.index('require("@socket.io/redis-adapter")') < code.index("const io")
    assert "Promise.all([pubClient.connect(), subClient.connect()]).then(() => {\n  io.adapter(" in code


def test_ioredis_projects_get_the_ioredis_form(tmp_path: Path) -> None:
    out = fixed(
        tmp_path,
        {
            "package.json": json.dumps({"dependencies": {"ioredis": "^5.9.0"}}),
            "s.ts": 'import { Server } from "socket.io";\nexport const io = new Server(3000);\nio.emit("x");\n',
        },
        "s.ts",
    )
    code = out["s.ts"]
    assert 'import { Redis } from "ioredis";' in code
    assert "const pubClient = new Redis(process.env.REDIS_URL" in code and ".connect()" not in code
    assert json.loads(out["package.json"])["dependencies"] == {
        "ioredis": "^5.9.0",
        "@socket.io/redis-adapter": "^8.3.0",
    }


def test_connection_state_recovery_gets_the_streams_adapter_and_redis6_gets_resp2(tmp_path: Path) -> None:
    out = fixed(
        tmp_path,
        {
            "package.json": json.dumps({"dependencies": {"redis": "^6.2.0"}}),
            "s.mjs": "import { Server } from 'socket.io';\nconst io = new Server(3000, { connectionStateRecovery: {} });\nio.emit('x');\n",
        },
        "s.mjs",
    )
    code = out["s.mjs"]
    assert "from '@socket.io/redis-streams-adapter';" in code
    assert "createClient({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379', RESP: 2 })" in code
    assert "io.adapter(createAdapter(redisClient));" in code


def test_names_already_taken_are_not_reused(tmp_path: Path) -> None:
    out = fixed(
        tmp_path,
        {
            "package.json": "{}",
            "s.js": 'const pubClient = 1;\nconst io = require("socket.io")(3000);\nio.emit("x");\n',
        },
        "s.js",
    )
    assert "const pubClient2 = createClient(" in out["s.js"]


def test_presence_fix_is_not_offered_for_maps_keyed_by_connections(tmp_path: Path) -> None:
    source = (
        'const { WebSocketServer } = require("ws");\nconst wss = new WebSocketServer({ port: 1 });\n'
        "const names = new Map();\nconst onlineUsers = new Map();\n"
        'wss.on("connection", (ws, req) => {\n  names.set(ws, req.url);\n  onlineUsers.set(req.url, Date.now());\n});\n'
    )
    live = LiveWorkspace()
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "s.js").write_text(source)
    live.index_folder(str(tmp_path))
    session = FixSession(live)
    session.run(unsafe=True)
    assert session.applied == [
        "Also keep `onlineUsers` in a Redis sorted set with heartbeat scores (members expire)"
    ]
