"""The same chat with rooms fanned out by AsyncRedisManager and presence / history in Redis."""

import json
import os
import time

import redis.asyncio as redis
import socketio

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PRESENCE_TTL = 60

sio = socketio.AsyncServer(
    async_mode="asgi",
    cors_allowed_origins="*",
    client_manager=socketio.AsyncRedisManager(REDIS_URL),
)
app = socketio.ASGIApp(sio)
store = redis.from_url(REDIS_URL, decode_responses=True)


async def online():
    await store.zremrangebyscore("presence", "-inf", time.time() - PRESENCE_TTL)
    return await store.zrange("presence", 0, -1)


@sio.event
async def connect(sid, environ, auth):
    name = (auth or {}).get("name", sid)
    await sio.save_session(sid, {"name": name})
    await store.zadd("presence", {name: time.time()})
    await sio.emit("online", await online())


@sio.on("join")
async def join(sid, room):
    await sio.enter_room(sid, room)
    entries = await store.xrevrange(f"chat:{room}", count=50)
    await sio.emit("history", [json.loads(fields["data"]) for _, fields in reversed(entries)], to=sid)


@sio.on("message")
async def message(sid, data):
    session = await sio.get_session(sid)
    entry = {"room": data["room"], "text": data["text"], "from": session["name"]}
    await store.xadd(f"chat:{data['room']}", {"data": json.dumps(entry)}, maxlen=1000, approximate=True)
    await sio.emit("message", entry, room=data["room"])


@sio.event
async def disconnect(sid, reason=None):
    session = await sio.get_session(sid)
    await store.zrem("presence", session["name"])
    await sio.emit("online", await online())
