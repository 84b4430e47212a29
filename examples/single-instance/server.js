// Chat server keeping everything in this process: fine on a laptop, broken on two instances.
const http = require("http");
const { Server } = require("socket.io");

const PORT = Number(process.env.PORT || 3000);
const httpServer = http.createServer();
const io = new Server(httpServer, { cors: { origin: "*" } });

const onlineUsers = new Map(); // userId -> socket id
const messages = []; // last messages, replayed on join
const MAX_HISTORY = 50;

io.on("connection", (socket) => {
  const userId = socket.handshake.auth.userId || socket.id;
  onlineUsers.set(userId, socket.id);
  io.emit("online", [...onlineUsers.keys()]);

  socket.on("join", (room) => {
    socket.join(room);
    socket.emit("history", messages.filter((m) => m.room === room).slice(-MAX_HISTORY));
  });

  socket.on("message", ({ room, text }) => {
    const message = { room, text, from: userId, at: Date.now() };
    messages.push(message);
    if (messages.length > 1000) messages.shift();
    io.to(room).emit("message", message);
  });

  socket.on("disconnect", () => {
    onlineUsers.delete(userId);
    io.emit("online", [...onlineUsers.keys()]);
  });
});

httpServer.listen(PORT, () => console.log(`listening on ${PORT}`));
