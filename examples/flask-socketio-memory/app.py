"""Flask-SocketIO chat keeping users and messages in module dictionaries."""

import os

from flask import Flask, request
from flask_socketio import SocketIO, emit, join_room

app = Flask(__name__)
socketio = SocketIO(app, cors_allowed_origins="*")

users = {}
messages = []


@socketio.on("join")
def on_join(data):
    users[request.sid] = data["name"]
    join_room(data["room"])
    emit("history", [m for m in messages if m["room"] == data["room"]][-50:])
    emit("users", list(users.values()), to=data["room"])


@socketio.on("message")
def on_message(data):
    entry = {"room": data["room"], "text": data["text"], "from": users.get(request.sid)}
    messages.append(entry)
    emit("message", entry, to=data["room"])


@socketio.on("disconnect")
def on_disconnect(*args):
    users.pop(request.sid, None)


if __name__ == "__main__":
    # the development server, for the demo; run behind gunicorn with one eventlet worker in production
    socketio.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "5000")), allow_unsafe_werkzeug=True)
