import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const redis = createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
const pub = redis.duplicate();
const sub = redis.duplicate();
await Promise.all([redis.connect(), pub.connect(), sub.connect()]);

const httpServer = createServer();
const io = new Server(httpServer, { adapter: createAdapter(pub, sub) });

io.on("connection", async (socket) => {
  const name = socket.handshake.auth.name ?? socket.id;

  socket.on("join", async (room) => {
    socket.join(room);
    await redis.sAdd(`room:${room}:members`, name);
    await redis.set(`presence:user:${name}`, socket.id, { expiration: { type: "EX", value: 60 } });
    const recent = await redis.lRange(`history:${room}`, 0, 49);
    socket.emit("history", recent.reverse().map((item) => JSON.parse(item)));
  });

  socket.on("sendMessage", async ({ room, text }) => {
    const message = JSON.stringify({ text, from: name, at: Date.now() });
    await redis.lPush(`history:${room}`, message);
    await redis.lTrim(`history:${room}`, 0, 99);
    io.to(room).emit("message", JSON.parse(message));
  });
});

httpServer.listen(Number(process.env.PORT || 3000));
