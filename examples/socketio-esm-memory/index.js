import { createServer } from "node:http";
import { Server } from "socket.io";
import { addUser, removeUser, getUsersInRoom } from "./users.js";

const httpServer = createServer();
const io = new Server(httpServer);

const typingUsers = new Set();
const roomHistory = {};

io.on("connection", (socket) => {
  socket.on("join", ({ name, room }) => {
    const user = addUser({ id: socket.id, name, room });
    socket.join(user.room);
    socket.emit("history", roomHistory[room] ?? []);
    io.to(room).emit("roomData", { room, users: getUsersInRoom(room) });
  });

  socket.on("typing", (name) => {
    typingUsers.add(name);
    socket.broadcast.emit("typing", [...typingUsers]);
  });

  socket.on("sendMessage", ({ room, text }) => {
    roomHistory[room] ??= [];
    roomHistory[room].push({ text, at: Date.now() });
    io.to(room).emit("message", { text });
  });

  socket.on("disconnect", () => {
    const user = removeUser(socket.id);
    if (user) io.to(user.room).emit("roomData", { room: user.room, users: getUsersInRoom(user.room) });
  });
});

httpServer.listen(Number(process.env.PORT || 3000));
