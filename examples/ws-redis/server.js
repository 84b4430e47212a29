// Local sockets stay local; every message goes through Redis pub/sub so all instances deliver it.
import { WebSocketServer, WebSocket } from "ws";
import { createClient } from "redis";

const redis = createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
const subscriber = redis.duplicate();
await Promise.all([redis.connect(), subscriber.connect()]);

const wss = new WebSocketServer({ port: Number(process.env.PORT || 8080) });
const localSockets = new Map(); // room -> Set of this instance's sockets

await subscriber.pSubscribe("room:*", (message, channel) => {
  const room = channel.slice("room:".length);
  for (const client of localSockets.get(room) ?? []) {
    if (client.readyState === WebSocket.OPEN) client.send(message);
  }
});

wss.on("connection", (ws) => {
  ws.on("message", async (raw) => {
    const data = JSON.parse(raw.toString());
    if (data.type === "join") {
      ws.room = data.room;
      if (!localSockets.has(data.room)) localSockets.set(data.room, new Set());
      localSockets.get(data.room).add(ws);
      await redis.set(`presence:${data.name}`, data.room, { expiration: { type: "EX", value: 60 } });
      const recent = await redis.xRevRange(`history:${data.room}`, "+", "-", { COUNT: 50 });
      ws.send(JSON.stringify({ type: "history", messages: recent.reverse().map((e) => e.message) }));
    } else if (data.type === "message") {
      const message = { type: "message", room: data.room, text: data.text };
      await redis.xAdd(`history:${data.room}`, "*", { text: data.text });
      await redis.publish(`room:${data.room}`, JSON.stringify(message));
    }
  });

  ws.on("close", () => localSockets.get(ws.room)?.delete(ws));
});
