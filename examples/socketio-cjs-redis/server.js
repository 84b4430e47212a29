// The same chat, with rooms fanned out through Redis and presence / history stored in Redis.
const http = require("http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { redis } = require("./redis");

const PORT = Number(process.env.PORT || 3000);
const PRESENCE_TTL_MS = 60_000;
const MAX_HISTORY = 50;

const httpServer = http.createServer();
const io = new Server(httpServer, { cors: { origin: "*" } });

async function onlineUsers() {
  await redis.zRemRangeByScore("presence", "-inf", Date.now() - PRESENCE_TTL_MS);
  return redis.zRange("presence", 0, -1);
}

io.on("connection", async (socket) => {
  const userId = socket.handshake.auth.userId || socket.id;
  socket.data.userId = userId;
  await redis.zAdd("presence", { score: Date.now(), value: userId });
  io.emit("online", await onlineUsers());

  socket.on("join", async (room) => {
    socket.join(room);
    const entries = await redis.xRevRange(`chat:${room}`, "+", "-", { COUNT: MAX_HISTORY });
    socket.emit("history", entries.reverse().map((e) => e.message));
  });

  socket.on("message", async ({ room, text }) => {
    const message = { room, text, from: userId, at: String(Date.now()) };
    await redis.xAdd(`chat:${room}`, "*", message, {
      TRIM: { strategy: "MAXLEN", strategyModifier: "~", threshold: 1000 },
    });
    io.to(room).emit("message", message);
  });

  socket.on("disconnect", async () => {
    await redis.zRem("presence", userId);
    io.emit("online", await onlineUsers());
  });
});

async function main() {
  const pub = redis.duplicate();
  const sub = redis.duplicate();
  await Promise.all([redis.connect(), pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
  httpServer.listen(PORT, () => console.log(`listening on ${PORT}`));
}

main();
