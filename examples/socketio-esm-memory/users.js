// Tutorial-style user registry: who is in which room. Called from the handlers in index.js.
const users = [];

export function addUser({ id, name, room }) {
  const user = { id, name, room };
  users.push(user);
  return user;
}

export function removeUser(id) {
  const index = users.findIndex((user) => user.id === id);
  if (index !== -1) return users.splice(index, 1)[0];
  return undefined;
}

export function getUsersInRoom(room) {
  return users.filter((user) => user.room === room);
}
