"""Flask-SocketIO chat with a Redis message queue, presence keys with expiry and a Redis list history."""

import json
import os

import redis
from flask import Flask, request
from flask_socketio import SocketIO, emit, join_room

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Flask(__name__)
socketio = SocketIO(app, cors_allowed_origins="*", message_queue=REDIS_URL)
store = redis.Redis.from_url(REDIS_URL, decode_responses=True)


@socketio.on("join")
def on_join(data):
    store.set(f"presence:{request.sid}", data["name"], ex=60)
    join_room(data["room"])
    recent = store.lrange(f"history:{data['room']}", 0, 49)
    emit("history", [json.loads(item) for item in reversed(recent)])


@socketio.on("message")
def on_message(data):
    entry = {"room": data["room"], "text": data["text"], "from": store.get(f"presence:{request.sid}")}
    store.lpush(f"history:{data['room']}", json.dumps(entry))
    store.ltrim(f"history:{data['room']}", 0, 99)
    emit("message", entry, to=data["room"])


@socketio.on("disconnect")
def on_disconnect(*args):
    store.delete(f"presence:{request.sid}")


if __name__ == "__main__":
    # the development server, for the demo; run behind gunicorn with one eventlet worker in production
    socketio.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "5000")), allow_unsafe_werkzeug=True)
