// Server-Sent Events: browsers listen on /events, anyone POSTs to /messages.
const express = require("express");

const app = express();
app.use(express.json());

let clients = [];
const events = []; // replay buffer for Last-Event-ID
let nextId = 1;

app.get("/events", (req, res) => {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
  res.flushHeaders();
  const lastId = Number(req.headers["last-event-id"] || 0);
  for (const event of events.filter((e) => e.id > lastId)) {
    res.write(`id: ${event.id}\ndata: ${JSON.stringify(event.data)}\n\n`);
  }
  clients.push(res);
  req.on("close", () => {
    clients = clients.filter((client) => client !== res);
  });
});

app.post("/messages", (req, res) => {
  const event = { id: nextId++, data: req.body };
  events.push(event);
  clients.forEach((client) => client.write(`id: ${event.id}\ndata: ${JSON.stringify(event.data)}\n\n`));
  res.status(204).end();
});

app.listen(Number(process.env.PORT || 3000));
