import { createServer } from "node:http";
import { Server, Socket } from "socket.io";

interface ChatMessage {
  room: string;
  text: string;
  from: string;
  at: number;
}

const httpServer = createServer();
const io = new Server(httpServer, { connectionStateRecovery: {} });

// Who is connected, keyed by user id, and the socket ids they use (several tabs each).
const userSockets: Map<string, Set<string>> = new Map();
const chatHistory: Record<string, ChatMessage[]> = {};

function userOf(socket: Socket): string {
  return String(socket.handshake.auth.userId ?? socket.id);
}

io.on("connection", (socket: Socket) => {
  const userId = userOf(socket);
  if (!userSockets.has(userId)) userSockets.set(userId, new Set());
  userSockets.get(userId)!.add(socket.id);

  socket.on("join", (room: string) => {
    void socket.join(room);
    socket.emit("history", chatHistory[room] ?? []);
  });

  socket.on("message", (room: string, text: string) => {
    const message: ChatMessage = { room, text, from: userId, at: Date.now() };
    (chatHistory[room] ??= []).push(message);
    io.to(room).emit("message", message);
  });

  socket.on("disconnect", () => {
    userSockets.get(userId)?.delete(socket.id);
    if (userSockets.get(userId)?.size === 0) userSockets.delete(userId);
  });
});

httpServer.listen(Number(process.env.PORT ?? 3000));
