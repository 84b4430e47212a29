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


def _flask_game(tmp_path: Path, players_in_memory: bool) -> dict[str, object]:
    (tmp_path / "requirements.txt").write_text("flask-socketio\nflask-sqlalchemy\n")
    keep = (
        '@socketio.on("ready")\ndef ready(name):\n    players[request.sid] = name\n'
        if players_in_memory
        else ""
    )
    (tmp_path / "app.py").write_text(
        "from flask import Flask, request\n"
        "from flask_socketio import SocketIO, emit\n"
        "from flask_sqlalchemy import SQLAlchemy\n"
        "app = Flask(__name__)\n"
        "db = SQLAlchemy(app)\n"
        "socketio = SocketIO(app)\n"
        "players = {}\n"
        "class Player(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    online = db.Column(db.Boolean)\n"
        "class Message(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    text = db.Column(db.String)\n"
        '@socketio.on("join")\n'
        "def join(name):\n"
        "    db.session.add(Player(online=True))\n"
        '    emit("joined", name, broadcast=True)\n'
        '@socketio.on("say")\n'
        "def say(text):\n"
        "    db.session.add(Message(text=text))\n"
        f"{keep}"
    )
    result = run_cli("audit", "--format", "json", str(tmp_path))
    audit = json.loads(result.stdout)
    return (audit.get("projects") or [audit])[0]  # type: ignore[no-any-return]


def test_a_state_type_also_kept_in_memory_does_not_count_as_shared(tmp_path: Path) -> None:
    """Rooms stay in process (no message queue). Presence written to the database by one handler and
    kept in a module dict by another is lost on a second instance too: only history counts as shared,
    so the project fails and the detail says why. Without the dict, presence and history are shared."""
    (tmp_path / "memory").mkdir()
    (tmp_path / "shared").mkdir()
    kept = _flask_game(tmp_path / "memory", players_in_memory=True)
    assert kept["verdict"] == "fail"
    assert "Presence is in a database but also kept in process memory" in str(kept["detail"])
    shared = _flask_game(tmp_path / "shared", players_in_memory=False)
    assert shared["verdict"] == "pass", shared["detail"]


def test_a_record_saved_after_it_is_made_is_read_from_its_model(tmp_path: Path) -> None:
    """`m = new Message({text}); await m.save()`: the model the record was made from says what it
    stores, in JavaScript and in Python (`m = Message.create_message(...); m.save()`)."""
    (tmp_path / "js").mkdir()
    stored = _stored(
        _node_project(
            tmp_path / "js",
            'const Message = mongoose.model("Message", new mongoose.Schema({ text: String }));\n'
            "const io = new Server(3000);\n"
            'io.on("connection", (socket) => {\n'
            '  socket.on("say", async (text) => {\n'
            "    const m = new Message({ text });\n"
            "    await m.save();\n"
            '    io.emit("said", text);\n'
            "  });\n"
            "});\n",
        )
    )
    assert stored.get("Message.save") == "history", stored
    py = tmp_path / "py"
    py.mkdir()
    (py / "requirements.txt").write_text("python-socketio\nmongoengine\n")
    (py / "app.py").write_text(
        "import socketio\n"
        "from models import Message\n"
        "sio = socketio.Server()\n"
        "@sio.event\n"
        "def say(sid, text):\n"
        "    m = Message.create_message(sid, text)\n"
        "    m.save()\n"
    )
    (py / "models.py").write_text(
        "import mongoengine\n"
        "class Message(mongoengine.Document):\n"
        "    text = mongoengine.StringField()\n"
        "    @classmethod\n"
        "    def create_message(cls, sid, text):\n"
        "        return cls(text=text)\n"
    )
    assert _stored(py).get("m.save") == "history", _stored(py)
