"""Proof for the Django variant of the history fix: the Channels example, whose consumer keeps
messages in a class attribute, plus a `Message` model in its `chat` app. Two daphne instances serve
it against one SQLite database; a WebSocket client joins each. Before the fix, a message sent through
B is not in the history A replays (the control); after `check --fix --unsafe-fixes` it is, and a
restarted instance replays everything."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import websockets

from tests.conftest import EXAMPLES, ROOT
from tests.integration.conftest import Instances

pytestmark = pytest.mark.timeout(240)

MODEL = """from django.db import models


class Message(models.Model):
    room = models.CharField(max_length=100)
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
"""
# the example's settings with this test's database and no Redis (fan-out is not what is proven here)
SETTINGS = """import os

from chatsite.settings import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["CHAT_DATABASE"]}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
"""


async def visit(port: int, *send: str) -> list[str]:
    """Join room1 on one instance: the history it replays; then send each text and see it echoed."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/chat/room1/") as socket:
        history = json.loads(await asyncio.wait_for(socket.recv(), 10))["history"]
        for text in send:
            await socket.send(json.dumps({"text": text}))
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["text"] == text
    return [m["text"] for m in history]


async def test_consumer_history_is_saved_through_the_model_and_replayed_on_every_instance(
    tmp_path: Path,
) -> None:
    project = tmp_path / "site"
    shutil.copytree(EXAMPLES / "django-channels-memory", project)
    (project / "chat" / "models.py").write_text(MODEL)
    (project / "proof_settings.py").write_text(SETTINGS)
    database = tmp_path / "chat.sqlite3"
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--run-syncdb", "--settings", "proof_settings"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={"CHAT_DATABASE": str(database)},
    )
    assert migrate.returncode == 0, migrate.stderr

    env = {"CHAT_DATABASE": str(database), "DJANGO_SETTINGS_MODULE": "proof_settings"}
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "chatsite.asgi:application"]
    instances = Instances(daphne, project, env)

    port_a, port_b = instances.start(), instances.start()
    try:
        assert await visit(port_b, "said before the fix") == []
        assert await visit(port_a) == [], "control failed: history crossed instances"
    finally:
        instances.stop_all()

    fixed = subprocess.run(
        [sys.executable, "-m", "hscale_ls", "check", str(project), "--fix", "--unsafe-fixes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "in the database through `Message`" in fixed.stderr, fixed.stderr

    port_a, port_b = instances.start(), instances.start()
    try:
        assert await visit(port_b, "one", "two") == []
        assert await visit(port_a, "three") == ["one", "two"], "history crosses instances"
    finally:
        instances.stop_all()
    port = instances.start()  # a restart loses nothing
    try:
        assert await visit(port) == ["one", "two", "three"]
    finally:
        instances.stop_all()
