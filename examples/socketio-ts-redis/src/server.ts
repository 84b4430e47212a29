import { createServer } from "node:http";
import { Server, Socket } from "socket.io";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Redis } from "ioredis";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const httpServer = createServer();
const io = new Server(httpServer, {
  connectionStateRecovery: {},
  adapter: createAdapter(redis),
});

const HEARTBEAT_TTL_MS = 60_000;

io.on("connection", async (socket: Socket) => {
  const userId = String(socket.handshake.auth.userId ?? socket.id);
  await redis.zadd("presence:online", Date.now(), userId);

  socket.on("join", async (room: string) => {
    await socket.join(room);
    const entries = await redis.xrevrange(`chat:${room}`, "+", "-", "COUNT", 50);
    socket.emit("history", entries.reverse().map(([, fields]) => fields));
  });

  socket.on("message", async (room: string, text: string) => {
    await redis.xadd(`chat:${room}`, "MAXLEN", "~", 1000, "*", "from", userId, "text", text);
    io.to(room).emit("message", { room, text, from: userId });
  });

  socket.on("disconnect", async () => {
    await redis.zrem("presence:online", userId);
    await redis.zremrangebyscore("presence:online", "-inf", Date.now() - HEARTBEAT_TTL_MS);
  });
});

httpServer.listen(Number(process.env.PORT ?? 3000));
