"""Realistic large server files (JavaScript, TypeScript, Python) and a deterministic edit script."""

from __future__ import annotations

import random

JS_HEAD = """const {{ Server }} = require("socket.io");
const http = require("http");
const httpServer = http.createServer();
const io = new Server(httpServer);
const onlineUsers = new Map();
const messages = [];
"""
JS_HANDLER = """
io.of("/ns{k}").on("connection", (socket) => {{
  onlineUsers.set(socket.id, {{ name: socket.handshake.auth.name, room: "room{k}" }});
  socket.on("message{k}", (payload) => {{
    const entry = {{ text: String(payload.text).trim(), at: Date.now(), from: socket.id }};
    messages.push(entry);
    if (messages.length > 500) messages.shift();
    io.of("/ns{k}").to("room{k}").emit("message", entry);
  }});
  socket.on("disconnect", () => {{
    onlineUsers.delete(socket.id);
  }});
}});

function helper{k}(values, factor) {{
  const result = [];
  for (let index = 0; index < values.length; index += 1) {{
    result.push({{ index, value: values[index] * factor + {k} }});
  }}
  return result.filter((item) => item.value > {k});
}}
"""
TS_HEAD = """import {{ Server, Socket }} from "socket.io";
import {{ createServer }} from "node:http";

interface Entry {{
  text: string;
  at: number;
  from: string;
}}

const httpServer = createServer();
const io = new Server(httpServer);
const onlineUsers: Map<string, string> = new Map();
const messages: Entry[] = [];
"""
TS_HANDLER = """
io.of("/ns{k}").on("connection", (socket: Socket) => {{
  onlineUsers.set(socket.id, String(socket.handshake.auth.name));
  socket.on("message{k}", (payload: {{ text: string }}) => {{
    const entry: Entry = {{ text: payload.text.trim(), at: Date.now(), from: socket.id }};
    messages.push(entry);
    io.of("/ns{k}").to("room{k}").emit("message", entry);
  }});
  socket.on("disconnect", () => {{
    onlineUsers.delete(socket.id);
  }});
}});

export function helper{k}(values: number[], factor: number): number[] {{
  const result: number[] = [];
  for (const value of values) {{
    result.push(value * factor + {k});
  }}
  return result.filter((item) => item > {k});
}}
"""
PY_HEAD = """import socketio

sio = socketio.AsyncServer(async_mode="asgi")
online_users = {{}}
messages = []
"""
PY_HANDLER = """

@sio.on("message{k}")
async def on_message_{k}(sid, payload):
    entry = {{"text": str(payload.get("text", "")).strip(), "from": sid, "room": "room{k}"}}
    messages.append(entry)
    online_users[sid] = payload.get("name", sid)
    await sio.emit("message", entry, room="room{k}")


def helper_{k}(values, factor):
    result = []
    for index, value in enumerate(values):
        if value * factor > {k}:
            result.append((index, value * factor + {k}))
    return sorted(result)
"""
VARIANTS = {
    "javascript": ("server.js", JS_HEAD, JS_HANDLER, "javascript"),
    "typescript": ("server.ts", TS_HEAD, TS_HANDLER, "typescript"),
    "python": ("server.py", PY_HEAD, PY_HANDLER, "python"),
}


def server_file(language: str, lines: int) -> str:
    _, head, handler, _ = VARIANTS[language]
    parts = [head.format()]
    k = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(handler.format(k=k))
        k += 1
    return "".join(parts)


def apply_changes(text: str, changes: list[dict[str, object]]) -> str:
    """The text after ranged changes (positions count characters; the workload is ASCII)."""
    for change in changes:
        lines = text.split("\n")
        rng = change["range"]  # type: ignore[index]
        start, end = (_offset(lines, rng[key]) for key in ("start", "end"))  # type: ignore[index]
        text = text[:start] + str(change["text"]) + text[end:]
    return text


def _offset(lines: list[str], position: dict[str, int]) -> int:
    return sum(len(line) + 1 for line in lines[: position["line"]]) + position["character"]


def edit_script(text: str, language: str, count: int = 200, seed: int = 7) -> list[list[dict[str, object]]]:
    """`count` didChange payloads: typing inside handlers, inserting and deleting lines, pasting and
    removing a block. Each payload is a list of content changes against the text so far."""
    rng = random.Random(seed)
    lines = text.split("\n")
    comment = "#" if language == "python" else "//"
    anchors = [
        i for i, line in enumerate(lines) if "messages" in line and ("push" in line or "append" in line)
    ]
    edits: list[list[dict[str, object]]] = []
    block = [f"    {comment} pasted note {n}" for n in range(10)]

    def change(line: int, start: int, end_line: int, end: int, new: str) -> list[dict[str, object]]:
        return [
            {
                "range": {
                    "start": {"line": line, "character": start},
                    "end": {"line": end_line, "character": end},
                },
                "text": new,
            }
        ]

    while len(edits) < count:
        roll = rng.random()
        anchor = rng.choice(anchors)
        indent = len(lines[anchor]) - len(lines[anchor].lstrip())
        if roll < 0.6:  # type a short comment on a new line inside a handler, one key at a time
            lines.insert(anchor + 1, " " * indent)
            edits.append(change(anchor + 1, 0, anchor + 1, 0, " " * indent + "\n"))
            typed = f"{comment} todo {len(edits)}"
            for position, char in enumerate(typed):
                if len(edits) >= count:
                    break
                column = indent + position
                lines[anchor + 1] = lines[anchor + 1][:column] + char + lines[anchor + 1][column:]
                edits.append(change(anchor + 1, column, anchor + 1, column, char))
        elif roll < 0.75:  # delete a line
            target = anchor + 1
            removed = lines.pop(target)
            edits.append(change(target, 0, target + 1, 0, ""))
            del removed
        elif roll < 0.9:  # paste a block
            for offset, line in enumerate(block):
                lines.insert(anchor + 1 + offset, line)
            edits.append(change(anchor + 1, 0, anchor + 1, 0, "\n".join(block) + "\n"))
        else:  # delete a block of three lines
            del lines[anchor + 1 : anchor + 4]
            edits.append(change(anchor + 1, 0, anchor + 4, 0, ""))
        anchors = [
            i for i, line in enumerate(lines) if "messages" in line and ("push" in line or "append" in line)
        ]
    return edits[:count]


def project_edits(text: str, count: int) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    """Keystrokes in a server file of a large project: typing `//x` at the end of the first handler
    line and deleting it again (eight in ten), then adding and removing a call in the handler."""
    lines = text.splitlines()
    handler = lines.index(next(line for line in lines if "socket.on(" in line))
    column = len(lines[handler])
    script: list[tuple[tuple[int, int], tuple[int, int], str]] = []
    for step in range(count):
        if step % 10 < 8:
            script.append(
                ((handler, column), (handler, column), "//x")
                if step % 2 == 0
                else ((handler, column), (handler, column + 3), "")
            )
        elif step % 10 == 8:
            script.append(((handler + 1, 0), (handler + 1, 0), "    helper(1);\n"))
        else:
            script.append(((handler + 1, 0), (handler + 2, 0), ""))
    return script
