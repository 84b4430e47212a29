"""What a database or Redis write stores is read from the record's own shape (its model, its keys), so a
room that merely exists is not membership, a user row marked online is presence, and the values a record
happens to carry do not decide its type."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def _stored(folder: Path) -> dict[str, str | None]:
    """name -> state type of every location the audit lists in a shared backend."""
    result = run_cli("audit", "--format", "json", str(folder))
    assert result.code in (0, 1, 3), result.stderr
    audit = json.loads(result.stdout)
    projects = audit.get("projects") or [audit]
    return {
        loc["name"]: loc["state_type"]
        for project in projects
        for loc in project["locations"]
        if loc["storage"] != "memory"
    }


def _node_project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "package.json").write_text('{"dependencies": {"socket.io": "^4.8.1", "mongoose": "^8.0.0"}}')
    (tmp_path / "server.js").write_text(
        'const { Server } = require("socket.io");\nconst mongoose = require("mongoose");\n' + source
    )
    return tmp_path


def test_a_room_record_created_is_not_membership(tmp_path: Path) -> None:
    stored = _stored(
        _node_project(
            tmp_path,
            'const Room = mongoose.model("Room", new mongoose.Schema({ name: String }));\n'
            "const io = new Server(3000);\n"
            'io.on("connection", (socket) => {\n'
            '  socket.on("create", async (name) => { const room = await Room.create({ name, owner: socket.id }); });\n'
            '  socket.on("rename", async (room) => { room.name = "x"; await room.save(); });\n'
            "});\n",
        )
    )
    assert "Room.create" not in stored or stored["Room.create"] is None
    assert "subscriptions" not in stored.values()


def test_members_pushed_into_a_room_record_are_membership(tmp_path: Path) -> None:
    stored = _stored(
        _node_project(
            tmp_path,
            'const Room = mongoose.model("Room", new mongoose.Schema({ members: [String] }));\n'
            "const io = new Server(3000);\n"
            'io.on("connection", (socket) => {\n'
            '  socket.on("join", (id) => Room.updateOne({ _id: id }, { $push: { members: socket.id } }));\n'
            "});\n",
        )
    )
    assert stored["Room.updateOne"] == "subscriptions"


def test_a_message_record_is_history_whatever_its_values_say(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("python-socketio\nsqlalchemy\n")
    (tmp_path / "app.py").write_text(
        "import socketio\n"
        "from models import Message, Session\n"
        "sio = socketio.AsyncServer()\n"
        "online = {}\n"
        "@sio.event\n"
        "async def message(sid, data):\n"
        "    async with Session() as sess:\n"
        '        sess.add(Message(room=data["room"], author=online.get(sid), text=data["text"]))\n'
        "        await sess.commit()\n"
    )
    (tmp_path / "models.py").write_text(
        "from sqlalchemy.ext.asyncio import async_sessionmaker\nSession = async_sessionmaker()\n"
    )
    assert _stored(tmp_path) == {"sess.add": "history"}


def test_pymongo_rows_marked_online_are_presence_and_room_pushes_membership(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("Flask-SocketIO\nFlask-PyMongo\n")
    (tmp_path / "app.py").write_text(
        "from flask import Flask, request\n"
        "from flask_pymongo import PyMongo\n"
        "from flask_socketio import SocketIO, join_room\n"
        "app = Flask(__name__)\n"
        "mongo = PyMongo(app)\n"
        "socketio = SocketIO(app)\n"
        "@socketio.on('join')\n"
        "def on_join(room_id):\n"
        "    join_room(room_id)\n"
        "    mongo.db.rooms.update_one({'_id': room_id}, {'$push': {'users': {'sid': request.sid}}})\n"
        "    mongo.db.accounts.update_one({'sid': request.sid}, {'$set': {'online': True}})\n"
    )
    stored = _stored(tmp_path)
    assert stored["mongo.db.rooms.update_one"] == "subscriptions"
    assert stored["mongo.db.accounts.update_one"] == "presence"


def test_a_redis_key_for_a_rooms_content_is_not_membership(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"socket.io": "^4.8.1", "redis": "^4.7.0"}}')
    (tmp_path / "server.js").write_text(
        'const { Server } = require("socket.io");\n'
        'const redis = require("redis").createClient();\n'
        "const io = new Server(3000);\n"
        'io.on("connection", (socket) => {\n'
        '  socket.on("card", (room, card) => redis.hSet("board-room:" + room + "-cards", card.id, card.text));\n'
        '  socket.on("join", (room) => redis.sAdd("room:" + room, socket.id));\n'
        "});\n"
    )
    stored = _stored(tmp_path)
    # the card write stores no state type (the audit leaves it out); the set of sockets is membership
    assert {k.split(" ")[0]: v for k, v in stored.items()} == {"sAdd": "subscriptions"}
