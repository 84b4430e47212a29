"""Proof on running servers: two instances of an example app on two ports against one real Redis, a
Socket.IO client on each. Before the fix a room message sent through instance B never reaches the
client on A (the control: without it the test would prove nothing); after `hscale-ls check --fix`
it does, and after the history fix messages sent before a restart are replayed after it."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.conftest import EXAMPLES, ROOT
from tests.integration.conftest import Instances, copy_app

pytestmark = pytest.mark.timeout(300)


@dataclass(frozen=True)
class App:
    example: str
    command: list[str]
    join: Callable[[str], Any]
    node: bool = False


UVICORN = [
    sys.executable,
    "-m",
    "uvicorn",
    "app:app",
    "--host",
    "127.0.0.1",
    "--port",
    "{port}",
    "--log-level",
    "warning",
]
APPS = {
    "socketio-js": App("socketio-cjs-memory", ["node", "server.js"], lambda user: "room1", node=True),
    "python-socketio": App("python-socketio-memory", UVICORN, lambda user: "room1"),
    "flask-socketio": App(
        "flask-socketio-memory", [sys.executable, "app.py"], lambda user: {"name": user, "room": "room1"}
    ),
}


class ChatClient:
    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list[Any]] = defaultdict(list)

        @self.sio.on("*")
        async def record(event: str, *args: Any) -> None:
            self.events[event].append(args[0] if args else None)

    async def connect(self, port: int, user: str) -> None:
        await self.sio.connect(
            f"http://127.0.0.1:{port}", auth={"userId": user, "name": user}, wait_timeout=10
        )

    async def join(self, payload: Any) -> None:
        """Join and wait for the history the apps send back, so later messages find us in the room."""
        await self.sio.emit("join", payload)
        for _ in range(200):
            if self.events["history"]:
                return
            await asyncio.sleep(0.025)
        raise AssertionError("no history after join")

    def texts(self, event: str = "message") -> list[str]:
        return [item.get("text") for item in self.events[event] if isinstance(item, dict)]

    def history_texts(self) -> list[str]:
        found: list[str] = []
        for item in self.events["history"]:
            found += [m.get("text") for m in item or [] if isinstance(m, dict)]
        return found


async def room_message_crosses(app: App, port_a: int, port_b: int, window: float) -> tuple[bool, bool]:
    """Send room messages through B for up to `window` seconds: (reached the client on A, reached B's own)."""
    alice, bob = ChatClient(), ChatClient()
    try:
        await alice.connect(port_a, "alice")
        await bob.connect(port_b, "bob")
        await alice.join(app.join("alice"))
        await bob.join(app.join("bob"))
        deadline = asyncio.get_running_loop().time() + window
        count = 0
        while asyncio.get_running_loop().time() < deadline:
            count += 1
            await bob.sio.emit("message", {"room": "room1", "text": f"hello {count}"})
            await asyncio.sleep(0.25)
            if alice.texts():
                break
        return bool(alice.texts()), bool(bob.texts())
    finally:
        await alice.sio.disconnect()
        await bob.sio.disconnect()


async def history_after_restart(app: App, instances: Instances) -> list[str]:
    """Send two messages, restart the instance, join again: the history texts replayed."""
    port = instances.start()
    sender = ChatClient()
    await sender.connect(port, "carol")
    await sender.join(app.join("carol"))
    for text in ("before restart 1", "before restart 2"):
        await sender.sio.emit("message", {"room": "room1", "text": text})
    # the echo shows the handler ran; a pub/sub manager still subscribing may drop it, so the
    # handler gets time either way before the instance stops
    for _ in range(100):
        if len(sender.texts()) >= 2:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    await sender.sio.disconnect()
    instances.stop(port)
    port = instances.start()
    replayed: list[str] = []
    try:
        for _ in range(40):  # history may load just after start-up
            reader = ChatClient()
            await reader.connect(port, "dave")
            await reader.sio.emit("join", app.join("dave"))
            for _ in range(40):
                if reader.events["history"]:
                    break
                await asyncio.sleep(0.05)
            replayed = reader.history_texts()
            await reader.sio.disconnect()
            if replayed:
                break
            await asyncio.sleep(0.2)
    finally:
        instances.stop(port)
    return replayed


async def history_across_instances(app: App, instances: Instances) -> list[str]:
    """Send through instance B, then join through instance A: the history A replays."""
    port_a, port_b = instances.start(), instances.start()
    try:
        sender = ChatClient()
        await sender.connect(port_b, "erin")
        await sender.join(app.join("erin"))
        await sender.sio.emit("message", {"room": "room1", "text": "sent through B"})
        for _ in range(100):
            if "sent through B" in sender.texts():
                break
            await asyncio.sleep(0.05)
        await sender.sio.disconnect()
        replayed: list[str] = []
        for _ in range(40):
            reader = ChatClient()
            await reader.connect(port_a, "frank")
            await reader.join(app.join("frank"))
            replayed = reader.history_texts()
            await reader.sio.disconnect()
            if "sent through B" in replayed:
                break
            await asyncio.sleep(0.25)
        return replayed
    finally:
        instances.stop_all()


def run_fix(app_dir: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hscale_ls", "check", str(app_dir), "--fix", *flags],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", sorted(APPS))
async def test_fixed_app_fans_out_and_keeps_history_across_instances(
    name: str, tmp_path: Path, clean_redis: str, node_modules: Path
) -> None:
    app = APPS[name]
    app_dir = copy_app(EXAMPLES / app.example, tmp_path / "app", node_modules if app.node else None)
    instances = Instances(app.command, app_dir, {"REDIS_URL": clean_redis})

    # control: the in-memory app, two instances
    port_a, port_b = instances.start(), instances.start()
    try:
        crossed, local = await room_message_crosses(app, port_a, port_b, window=2.5)
    finally:
        instances.stop_all()
    assert local, "the app works on one instance"
    assert not crossed, "control failed: without the fix a message crossed instances"
    assert await history_after_restart(app, instances) == [], "control failed: history survived a restart"
    assert "sent through B" not in await history_across_instances(app, instances), (
        "control failed: shared history"
    )

    fixed = run_fix(app_dir, "--unsafe-fixes")
    assert fixed.returncode in {0, 1}, fixed.stderr
    assert "applied:" in fixed.stderr

    port_a, port_b = instances.start(), instances.start()
    try:
        crossed, local = await room_message_crosses(app, port_a, port_b, window=20)
    finally:
        instances.stop_all()
    assert crossed, "after the fix a room message sent through B reaches the client on A\n" + "\n".join(
        instances.logs[-2:]
    )
    replayed = await history_after_restart(app, instances)
    assert "before restart 1" in replayed and "before restart 2" in replayed
    assert "sent through B" in await history_across_instances(app, instances)


async def test_history_fix_through_the_projects_own_database(tmp_path: Path, clean_redis: str) -> None:
    """A project with a SQLAlchemy `Message` model: the history fix saves through that model and
    refills on join, so history survives a restart and crosses instances through the database."""
    app = App("python-socketio-sqlalchemy", UVICORN, lambda user: "room1")
    app_dir = copy_app(EXAMPLES / app.example, tmp_path / "app")
    database = tmp_path / "chat.db"
    env = {"REDIS_URL": clean_redis, "DATABASE_URL": f"sqlite:///{database}"}
    instances = Instances(app.command, app_dir, env)

    assert await history_after_restart(app, instances) == [], "control failed: history survived a restart"
    assert "sent through B" not in await history_across_instances(app, instances), (
        "control failed: shared history"
    )

    fixed = run_fix(app_dir, "--unsafe-fixes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "in the database through `Message`" in fixed.stderr
    replayed = await history_after_restart(app, instances)
    assert "before restart 1" in replayed and "before restart 2" in replayed, "\n".join(instances.logs[-2:])
    assert "sent through B" in await history_across_instances(app, instances)
    with sqlite3.connect(database) as connection:
        stored = [text for (text,) in connection.execute("SELECT text FROM messages ORDER BY id")]
    assert stored[-3:] == ["before restart 1", "before restart 2", "sent through B"]


async def test_fix_applied_through_the_language_server(tmp_path: Path, clean_redis: str) -> None:
    """The same proof with the fix taken from the editor path: diagnostic -> code action -> edit."""
    from lsprotocol import types

    from tests.server.harness import Editor, apply_workspace_edit, start_client

    app = APPS["python-socketio"]
    app_dir = copy_app(EXAMPLES / app.example, tmp_path / "app")
    client = await start_client()
    editor = Editor(client, app_dir, "vscode")
    try:
        await editor.start(init_options={"debounceMs": 0})
        editor.open("app.py")
        found = await editor.diagnostics("app.py", until=lambda d: any(x.data["name"] == "sio" for x in d))
        server = next(x for x in found if x.data["name"] == "sio")
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=editor.uri("app.py")),
                range=server.range,
                context=types.CodeActionContext(diagnostics=[server]),
            )
        )
        action = await client.code_action_resolve_async(actions[0])
        assert action.is_preferred
        changed = apply_workspace_edit(
            action.edit, editor.encoding, lambda uri: (app_dir / Path(uri).name).read_text()
        )
        for uri, text in changed.items():
            (app_dir / Path(uri).name).write_text(text)
    finally:
        await client.shutdown_session()
        await client.stop()
    instances = Instances(app.command, app_dir, {"REDIS_URL": clean_redis})
    port_a, port_b = instances.start(), instances.start()
    try:
        crossed, _ = await room_message_crosses(app, port_a, port_b, window=20)
    finally:
        instances.stop_all()
    assert crossed


async def test_fastapi_broadcast_reaches_the_other_instance_through_the_bridge(
    tmp_path: Path, clean_redis: str
) -> None:
    """FastAPI's ConnectionManager: plain WebSockets, two instances, before and after the bridge fix."""
    import websockets

    app_dir = copy_app(EXAMPLES / "fastapi-memory", tmp_path / "app")
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "main:app",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--log-level",
        "warning",
    ]
    instances = Instances(command, app_dir, {"REDIS_URL": clean_redis})

    async def crosses(window: float) -> bool:
        port_a, port_b = instances.start(), instances.start()
        try:
            async with (
                websockets.connect(f"ws://127.0.0.1:{port_a}/ws/alice") as alice,
                websockets.connect(f"ws://127.0.0.1:{port_b}/ws/bob") as bob,
            ):
                deadline = asyncio.get_running_loop().time() + window
                while asyncio.get_running_loop().time() < deadline:
                    await bob.send("hi")
                    try:
                        while True:
                            text = await asyncio.wait_for(alice.recv(), timeout=0.25)
                            if text.startswith("bob: hi"):
                                return True
                    except asyncio.TimeoutError:
                        continue
                return False
        finally:
            instances.stop_all()

    assert not await crosses(2.0), "control failed: without the fix a broadcast crossed instances"
    fixed = run_fix(app_dir, "--unsafe-fixes")
    assert "applied: Broadcast through a Redis pub/sub bridge" in fixed.stderr
    assert await crosses(20.0), "after the fix a broadcast sent through B reaches the client on A"


async def test_sse_broadcast_reaches_the_other_instance_through_the_bridge(
    tmp_path: Path, clean_redis: str, node_modules: Path
) -> None:
    """Server-Sent Events: a browser listens on instance A, a POST lands on instance B."""
    import aiohttp

    app_dir = copy_app(EXAMPLES / "sse-memory", tmp_path / "app", node_modules)
    instances = Instances(["node", "server.js"], app_dir, {"REDIS_URL": clean_redis})

    async def crosses(window: float) -> bool:
        port_a, port_b = instances.start(), instances.start()
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port_a}/events") as stream,
            ):
                deadline = asyncio.get_running_loop().time() + window
                while asyncio.get_running_loop().time() < deadline:
                    await session.post(
                        f"http://127.0.0.1:{port_b}/messages", json={"text": "hello through B"}
                    )
                    try:
                        line = await asyncio.wait_for(stream.content.readline(), timeout=0.5)
                        while line:
                            if b"hello through B" in line:
                                return True
                            line = await asyncio.wait_for(stream.content.readline(), timeout=0.5)
                    except asyncio.TimeoutError:
                        continue
                return False
        finally:
            instances.stop_all()

    assert not await crosses(2.0), "control failed: without the fix an event crossed instances"
    fixed = run_fix(app_dir, "--unsafe-fixes")
    assert "applied: Broadcast through a Redis pub/sub bridge" in fixed.stderr, fixed.stderr
    assert await crosses(20.0), "after the fix an event posted to B reaches the listener on A"
