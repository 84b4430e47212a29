"""The history fix through the project's own database: offered first when a message model fits the
appended messages (Django, SQLAlchemy, Mongoose, Prisma), in the shape each call site needs, and never when an insert
could fail (a required column the messages lack, a key the model has no column for)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hscale_ls.analysis.live import LiveWorkspace
from hscale_ls.fixes import fixes_for
from hscale_ls.fixes.session import FixSession
from tests.conftest import EXAMPLES

CONSUMER = """from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ChatConsumer(AsyncJsonWebsocketConsumer):
    messages = []

    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        await self.accept()
        await self.send_json({"history": self.messages[-50:]})

    async def receive_json(self, content):
        message = {"room": self.room, "text": content["text"]}
        self.messages.append(message)
        await self.send_json(message)
"""
DJANGO_MODEL = """from django.db import models


class ChatMessage(models.Model):
    room = models.CharField(max_length=100)
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
{extra}"""
FLASK_APP = """from flask import Flask
from flask_socketio import SocketIO, emit

from models import Message, SessionLocal

app = Flask(__name__)
socketio = SocketIO(app)
messages = []


@socketio.on("join")
def join(data):
    emit("history", messages[-50:])


@socketio.on("message")
def message(data):
    entry = {{"room": data["room"], "text": data["text"]{more}}}
    messages.append(entry)
    emit("message", entry, to=data["room"])
"""
SQLALCHEMY_MODELS = """from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

engine = create_engine("sqlite:///chat.db")
SessionLocal = sessionmaker(bind=engine)
Base = declarative_base()


class Message(Base):
    __tablename__ = "messages"
    id = Column(Integer, primary_key=True)
    room = Column(String(100), nullable=False)
    text = Column(String(2000))
"""


def write(folder: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)


def session_for(folder: Path) -> FixSession:
    live = LiveWorkspace()
    live.index_folder(str(folder))
    return FixSession(live)


def history_titles(folder: Path) -> list[str]:
    """The fixes offered for the folder's one history finding."""
    session = session_for(folder)
    findings = [
        finding
        for root in session.live.projects()
        for finding in session.live.result(root).findings
        if finding.rule == "history-in-memory"
    ]
    assert len(findings) == 1, findings
    return [f.title for f in fixes_for(session.context(findings[0])) if f.kind == "fix"]


def fix(folder: Path) -> dict[str, str]:
    session = session_for(folder)
    session.run(unsafe=True)
    session.write()
    assert session_for(folder).run(unsafe=True) == 0, "a second run changes nothing"
    return {Path(p).relative_to(folder).as_posix(): c.decode() for p, c in session.changed().items()}


def test_django_consumer_saves_through_the_model_off_the_event_loop(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "chat/__init__.py": "",
            "chat/models.py": DJANGO_MODEL.format(extra=""),
            "chat/consumers.py": CONSUMER,
        },
    )
    assert history_titles(tmp_path)[0].startswith("Keep `messages` in the database through `ChatMessage`")
    code = fix(tmp_path)["chat/consumers.py"]
    assert "from channels.db import database_sync_to_async\nfrom .models import ChatMessage\n" in code
    assert '    ChatMessage.objects.create(room=item["room"], text=item["text"])\n' in code
    assert 'ChatMessage.objects.order_by("-id")[:limit]' in code
    # read back before the history is sent, saved right after the append
    assert (
        "        self.messages[:] = await database_sync_to_async(load_messages)()\n"
        '        await self.send_json({"history": self.messages[-50:]})\n'
    ) in code
    assert (
        "        self.messages.append(message)\n        await database_sync_to_async(save_messages)(message)\n"
    ) in code
    compile(code, "consumers.py", "exec")


def test_sqlalchemy_in_sync_handlers_with_the_session_factory(tmp_path: Path) -> None:
    write(tmp_path, {"models.py": SQLALCHEMY_MODELS, "app.py": FLASK_APP.format(more="")})
    code = fix(tmp_path)["app.py"]
    assert "from sqlalchemy import select\n" in code and "from models import Message, SessionLocal\n" in code
    assert code.count("from models import") == 1  # already imported: not added again
    assert (
        '        session.add(Message(room=item["room"], text=item["text"]))\n        session.commit()\n'
        in code
    )
    assert '    messages[:] = load_messages()\n    emit("history", messages[-50:])\n' in code
    assert "    messages.append(entry)\n    save_messages(entry)\n" in code
    assert "asyncio" not in code
    compile(code, "app.py", "exec")


def test_not_offered_when_an_insert_could_fail(tmp_path: Path) -> None:
    # a key the model has no column for
    write(
        tmp_path / "extra-key",
        {"models.py": SQLALCHEMY_MODELS, "app.py": FLASK_APP.format(more=', "mood": data["mood"]')},
    )
    # a required relation the messages do not carry
    relation = "    user = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n"
    write(
        tmp_path / "relation",
        {
            "chat/__init__.py": "",
            "chat/consumers.py": CONSUMER,
            "chat/models.py": DJANGO_MODEL.format(extra=relation),
        },
    )
    # a required column the messages do not set
    required = SQLALCHEMY_MODELS + "    sender = Column(String(100), nullable=False)\n"
    write(tmp_path / "required", {"models.py": required, "app.py": FLASK_APP.format(more="")})
    for case in ("extra-key", "relation", "required"):
        titles = history_titles(tmp_path / case)
        assert not any("in the database" in t for t in titles), (case, titles)
        assert any("Redis Stream" in t for t in titles) or case == "relation", (case, titles)


def test_nullable_relation_and_optional_columns_do_not_block_it(tmp_path: Path) -> None:
    relation = "    user = models.ForeignKey('auth.User', null=True, on_delete=models.SET_NULL)\n"
    write(
        tmp_path,
        {
            "chat/__init__.py": "",
            "chat/consumers.py": CONSUMER,
            "chat/models.py": DJANGO_MODEL.format(extra=relation),
        },
    )
    assert any("through `ChatMessage`" in t for t in history_titles(tmp_path))


def test_the_example_with_a_message_model_prefers_it(tmp_path: Path) -> None:
    work = tmp_path / "app"
    shutil.copytree(EXAMPLES / "python-socketio-sqlalchemy", work)
    titles = history_titles(work)
    assert titles[0] == (
        "Keep `recent_messages` in the database through `Message` (saved on send, read back on join)"
    )
    assert any("Redis Stream" in t for t in titles[1:])
    code = fix(work)["app.py"]
    assert "def load_recent_messages(limit=200):" in code  # the deque's maxlen
    assert (
        "    stored = await asyncio.get_running_loop().run_in_executor(recent_messages_writer, load_recent_messages)\n"
        "    recent_messages.clear()\n    recent_messages.extend(stored)\n"
    ) in code
    # one thread for the database: saves land in send order and a read waits for them
    assert (
        "\nrecent_messages_writer = concurrent.futures.ThreadPoolExecutor(max_workers=1)  # saves stay in send order\n"
        in code
    )
    assert "\nimport concurrent.futures\n" in code
    assert (
        "    await asyncio.get_running_loop().run_in_executor(recent_messages_writer, save_recent_messages, entry)\n"
    ) in code


MONGOOSE_MODEL = """const mongoose = require("mongoose");

const messageSchema = new mongoose.Schema({
  room: { type: String, required: true },
  text: String,
  from: String,
  at: Number,
});

module.exports = mongoose.model("Message", messageSchema);
"""
PRISMA_SCHEMA = """model User {
  id       Int           @id @default(autoincrement())
  messages ChatMessage[]
}

model ChatMessage {
  id        Int      @id @default(autoincrement())
  room      String
  text      String
  author    User?    @relation(fields: [authorId], references: [id])
  authorId  Int?
  createdAt DateTime @default(now())
{extra}}
"""
PRISMA_SERVER = """import { PrismaClient } from "@prisma/client";
import { Server } from "socket.io";

const prisma = new PrismaClient();
const io = new Server(3000);
const messages: { room: string; text: string }[] = [];

io.on("connection", (socket) => {
  socket.on("join", async (room: string) => {
    await socket.join(room);
    socket.emit("history", messages.filter((m) => m.room === room));
  });
  socket.on("say", (room: string, text: string) => {
    const line = { room, text };
    messages.push(line);
    io.to(room).emit("say", line);
  });
});
"""


def mongoose_project(folder: Path, model: str = MONGOOSE_MODEL) -> None:
    server = (EXAMPLES / "socketio-cjs-memory" / "server.js").read_text()
    server = server.replace(
        'const { Server } = require("socket.io");\n',
        'const { Server } = require("socket.io");\nconst Message = require("./models/message");\n',
    )
    write(folder, {"models/message.js": model, "server.js": server, "package.json": "{}"})


def test_mongoose_model_required_from_another_module(tmp_path: Path) -> None:
    mongoose_project(tmp_path)
    assert history_titles(tmp_path)[0].startswith("Keep `messages` in the database through `Message`")
    code = fix(tmp_path)["server.js"]
    assert "Message.create({ room: item.room, text: item.text, from: item.from, at: item.at })" in code
    assert "await Message.find().sort({ _id: -1 }).limit(limit).lean();" in code
    # the join listener becomes async to wait for the rows; the trimming statement gets no refill
    assert (
        '  socket.on("join", async (room) => {\n    socket.join(room);\n'
        "    messages.splice(0, messages.length, ...(await loadMessages()));\n"
    ) in code
    assert "    messages.push(message);\n    saveMessages(message);\n    if (messages.length > 1000)" in code
    assert code.count("loadMessages()") == 1
    node = shutil.which("node")
    if node:  # the syntax check the runtime itself does
        subprocess.run([node, "--check", str(tmp_path / "server.js")], check=True)


def test_prisma_model_from_the_schema_in_typescript(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "prisma/schema.prisma": PRISMA_SCHEMA.replace("{extra}", ""),
            "src/server.ts": PRISMA_SERVER,
            "package.json": "{}",
        },
    )
    code = fix(tmp_path)["src/server.ts"]
    assert "prisma.chatMessage.create({ data: { room: item.room, text: item.text } })" in code
    assert 'prisma.chatMessage.findMany({ orderBy: { id: "desc" }, take: limit })' in code
    assert "function saveMessages(item: any) {" in code
    # saves are chained: rows keep the send order, and a read waits for this instance's saves
    assert (
        "  messagesSaved = messagesSaved\n    .then(() => prisma.chatMessage.create({ data: {" in code
        and "  await messagesSaved; // this instance's own saves are in first\n" in code
    )
    assert '  socket.on("say", (room: string' in code  # only the reading listener changes


def test_node_variants_not_offered_when_an_insert_could_fail_or_a_read_cannot_wait(tmp_path: Path) -> None:
    required = MONGOOSE_MODEL.replace(
        "  at: Number,", "  at: Number,\n  sender: { type: String, required: true },"
    )
    mongoose_project(tmp_path / "mongoose-required", required)
    extra = "  channel   String\n"
    write(
        tmp_path / "prisma-required",
        {
            "prisma/schema.prisma": PRISMA_SCHEMA.replace("{extra}", extra),
            "src/server.ts": PRISMA_SERVER,
            "package.json": "{}",
        },
    )
    # the history is read in a named function whose callers may use what it returns
    named = (
        PRISMA_SERVER.replace(
            'socket.emit("history", messages.filter((m) => m.room === room));',
            'socket.emit("history", recent(room));',
        )
        + "function recent(room: string) {\n  return messages.filter((m) => m.room === room);\n}\n"
    )
    write(
        tmp_path / "named-reader",
        {
            "prisma/schema.prisma": PRISMA_SCHEMA.replace("{extra}", ""),
            "src/server.ts": named,
            "package.json": "{}",
        },
    )
    for case in ("mongoose-required", "prisma-required", "named-reader"):
        titles = history_titles(tmp_path / case)
        assert not any("in the database" in t for t in titles), (case, titles)
        assert any("Redis Stream" in t for t in titles), (case, titles)


def test_reads_are_the_containers_own_not_same_named_keywords_or_parameters(tmp_path: Path) -> None:
    app = FLASK_APP.format(more="") + (
        "\n\ndef render(messages=None, *, limit=10):\n    return dict(messages=limit)\n"
        '\n\n@socketio.on("count")\ndef count(data):\n    emit("count", dict(total=len(messages)))\n'
    )
    write(tmp_path, {"models.py": SQLALCHEMY_MODELS, "app.py": app})
    code = fix(tmp_path)["app.py"]
    assert "def render(messages=None, *, limit=10):\n    return dict(messages=limit)\n" in code
    assert '    messages[:] = load_messages()\n    emit("count", dict(total=len(messages)))\n' in code
    assert code.count("messages[:] = load_messages()") == 2  # join and count
    compile(code, "app.py", "exec")


def test_mongoose_model_imported_by_name_under_another_name(tmp_path: Path) -> None:
    model = MONGOOSE_MODEL.replace(
        'module.exports = mongoose.model("Message", messageSchema);',
        'export const Message = mongoose.model("Message", messageSchema);\nexport const Other = 1;',
    ).replace('const mongoose = require("mongoose");', 'import mongoose from "mongoose";')
    server = (
        'import { Server } from "socket.io";\nimport { Other, Message as ChatMessage } from "./models/message.js";\n\n'
        "const io = new Server(3000);\nconst messages = [];\n\n"
        'io.on("connection", (socket) => {\n'
        '  socket.on("join", () => socket.emit("history", messages));\n'
        '  socket.on("say", (room, text) => {\n    const line = { room, text };\n    messages.push(line);\n  });\n'
        "});\n"
    )
    write(tmp_path, {"models/message.js": model, "server.js": server, "package.json": '{"type": "module"}'})
    titles = history_titles(tmp_path)
    # the join listener is an expression-bodied arrow: no statement to refill before, so no database fix
    assert not any("in the database" in t for t in titles)
    server = server.replace(
        'socket.on("join", () => socket.emit("history", messages));',
        'socket.on("join", () => {\n    socket.emit("history", messages);\n  });',
    )
    write(tmp_path, {"server.js": server})
    assert history_titles(tmp_path)[0].startswith("Keep `messages` in the database through `Message`")
    code = fix(tmp_path)["server.js"]
    assert "ChatMessage.create({ room: item.room, text: item.text })" in code
    assert 'socket.on("join", async () => {' in code


def test_a_comment_inside_the_message_literal_does_not_hide_its_keys(tmp_path: Path) -> None:
    """Python dict literals are read by the same helper as JavaScript objects, which skips comments."""
    write(tmp_path, {"models.py": SQLALCHEMY_MODELS, "app.py": FLASK_APP.format(more="  # as typed\n    ")})
    assert any("in the database" in t for t in history_titles(tmp_path))
