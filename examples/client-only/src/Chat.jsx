import { useEffect, useState } from "react";
import { io } from "socket.io-client";

const socket = io(import.meta.env.VITE_SERVER_URL ?? "http://localhost:3000");
const messages = [];
const onlineUsers = new Set();

socket.on("message", (message) => {
  messages.push(message);
});
socket.on("online", (users) => {
  onlineUsers.clear();
  users.forEach((user) => onlineUsers.add(user));
});

export function Chat() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    const update = () => setItems([...messages]);
    socket.on("message", update);
    return () => socket.off("message", update);
  }, []);
  return items.map((m) => m.text).join("\n");
}
