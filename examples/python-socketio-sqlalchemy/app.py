"""Chat on python-socketio: rooms fan out through Redis and the archive is in the database, but the
recent history replayed on join is kept in this process."""

import os
from collections import deque

import socketio
from sqlalchemy import select

from models import Message, SessionLocal

sio = socketio.AsyncServer(
    async_mode="asgi",
    cors_allowed_origins="*",
    client_manager=socketio.AsyncRedisManager(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")),
)
app = socketio.ASGIApp(sio)

recent_messages = deque(maxlen=200)


@sio.on("join")
async def join(sid, room):
    await sio.enter_room(sid, room)
    await sio.emit("history", [m for m in recent_messages if m["room"] == room], to=sid)


@sio.on("message")
async def message(sid, data):
    entry = {"room": data["room"], "text": data["text"], "author": data.get("author")}
    recent_messages.append(entry)
    await sio.emit("message", entry, room=data["room"])


@sio.on("search")
async def search(sid, words):
    with SessionLocal() as session:
        rows = session.scalars(select(Message).where(Message.text.contains(words)).limit(20)).all()
    return [{"room": row.room, "text": row.text} for row in rows]
