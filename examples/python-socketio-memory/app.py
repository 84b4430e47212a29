"""Chat on python-socketio (ASGI), with all real-time state in this process."""

from collections import defaultdict, deque

import socketio

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*")
app = socketio.ASGIApp(sio)

online_users: dict[str, str] = {}  # sid -> user name
room_members = defaultdict(set)  # room -> sids
message_history = deque(maxlen=100)


@sio.event
async def connect(sid, environ, auth):
    online_users[sid] = (auth or {}).get("name", sid)
    await sio.emit("online", sorted(online_users.values()))


@sio.on("join")
async def join(sid, room):
    await sio.enter_room(sid, room)
    room_members[room].add(sid)
    await sio.emit("history", [m for m in message_history if m["room"] == room], to=sid)


@sio.on("message")
async def message(sid, data):
    entry = {"room": data["room"], "text": data["text"], "from": online_users.get(sid)}
    message_history.append(entry)
    await sio.emit("message", entry, room=data["room"])


@sio.event
async def disconnect(sid, reason=None):
    online_users.pop(sid, None)
    for members in room_members.values():
        members.discard(sid)
    await sio.emit("online", sorted(online_users.values()))
