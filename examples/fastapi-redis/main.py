"""FastAPI chat across instances: a Redis pub/sub bridge, a Redis Stream history, presence keys with expiry."""

import asyncio
import os
from contextlib import asynccontextmanager

import redis.asyncio as redis
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL = "chat"
store = redis.from_url(REDIS_URL, decode_responses=True)


class ConnectionManager:
    """Live sockets of this process only; Redis carries messages between processes."""

    def __init__(self):
        self.active_connections: list[WebSocket] = []

    async def deliver_locally(self, message: str):
        for connection in list(self.active_connections):
            await connection.send_text(message)


manager = ConnectionManager()


async def relay():
    async with store.pubsub() as pubsub:
        await pubsub.subscribe(CHANNEL)
        async for item in pubsub.listen():
            if item["type"] == "message":
                await manager.deliver_locally(item["data"])


@asynccontextmanager
async def lifespan(app: FastAPI):
    task = asyncio.create_task(relay())
    yield
    task.cancel()


app = FastAPI(lifespan=lifespan)


@app.websocket("/ws/{client_id}")
async def websocket_endpoint(websocket: WebSocket, client_id: str):
    await websocket.accept()
    manager.active_connections.append(websocket)
    await store.set(f"presence:{client_id}", "online", ex=60)
    for _, fields in reversed(await store.xrevrange("chat:history", count=50)):
        await websocket.send_text(fields["text"])
    try:
        while True:
            text = f"{client_id}: {await websocket.receive_text()}"
            await store.xadd("chat:history", {"text": text}, maxlen=1000, approximate=True)
            await store.publish(CHANNEL, text)
    except WebSocketDisconnect:
        manager.active_connections.remove(websocket)
        await store.delete(f"presence:{client_id}")
