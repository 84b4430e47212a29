import { WebSocketServer, WebSocket } from "ws";

const wss = new WebSocketServer({ port: Number(process.env.PORT || 8080) });

const rooms = new Map(); // room -> Set of sockets
const names = new Map(); // socket -> display name
const history = [];

function broadcast(room, payload) {
  for (const client of rooms.get(room) ?? []) {
    if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(payload));
  }
}

wss.on("connection", (ws) => {
  ws.send(JSON.stringify({ type: "history", messages: history.slice(-50) }));

  ws.on("message", (raw) => {
    const data = JSON.parse(raw.toString());
    if (data.type === "join") {
      names.set(ws, data.name);
      if (!rooms.has(data.room)) rooms.set(data.room, new Set());
      rooms.get(data.room).add(ws);
    } else if (data.type === "message") {
      const message = { room: data.room, from: names.get(ws), text: data.text };
      history.push(message);
      broadcast(data.room, { type: "message", ...message });
    }
  });

  ws.on("close", () => {
    names.delete(ws);
    for (const members of rooms.values()) members.delete(ws);
  });
});
