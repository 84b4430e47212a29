"""A minimal stdio LSP client for the benchmarks: sends notifications, answers the server's requests
with defaults, and lets callers wait for the next notification matching a predicate."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from collections.abc import Callable
from typing import Any


class LspProcess:
    def __init__(self, command: list[str], cwd: str, env: dict[str, str] | None = None) -> None:
        self.command, self.cwd, self.env = command, cwd, env
        self.process: asyncio.subprocess.Process | None = None
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.waiters: list[tuple[Callable[[dict[str, Any]], bool], asyncio.Future[dict[str, Any]]]] = []
        self.reader_task: asyncio.Task[None] | None = None
        self.notifications: list[dict[str, Any]] = []

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            cwd=self.cwd,
            env={**os.environ, **(self.env or {})},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        self.reader_task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stream = self.process.stdout
        while True:
            length = 0
            while True:
                line = await stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(await stream.readexactly(length))
            if "id" in message and "method" in message:
                self._answer(message)
            elif "id" in message:
                future = self.pending.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message.get("result"))
            else:
                self.notifications.append(message)
                for predicate, future in list(self.waiters):
                    if not future.done() and predicate(message):
                        future.set_result(message)
                        self.waiters.remove((predicate, future))

    def _answer(self, request: dict[str, Any]) -> None:
        method = request["method"]
        result: Any = None
        if method == "workspace/configuration":
            result = [None for _ in request["params"]["items"]]
        self._write({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def _write(self, message: dict[str, Any]) -> None:
        assert self.process is not None and self.process.stdin is not None
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    async def request(self, method: str, params: Any) -> Any:
        identifier = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[identifier] = future
        self._write({"jsonrpc": "2.0", "id": identifier, "method": method, "params": params})
        return await asyncio.wait_for(future, 120)

    def notify(self, method: str, params: Any) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def expect(self, predicate: Callable[[dict[str, Any]], bool]) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters.append((predicate, future))
        return future

    async def initialize(self, root_uri: str, options: Any = None) -> Any:
        capabilities = {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {
                "synchronization": {"didSave": True},
                "publishDiagnostics": {"versionSupport": True},
            },
            "workspace": {"configuration": True, "workspaceFolders": True},
            "window": {"workDoneProgress": True},
        }
        result = await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root_uri,
                "capabilities": capabilities,
                "workspaceFolders": [{"uri": root_uri, "name": "bench"}],
                "initializationOptions": options,
            },
        )
        self.notify("initialized", {})
        return result

    async def stop(self) -> None:
        if self.process is None:
            return
        try:
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
            await asyncio.wait_for(self.process.wait(), 10)
        except (asyncio.TimeoutError, ConnectionError, BrokenPipeError):
            self.process.kill()
        if self.reader_task is not None:
            self.reader_task.cancel()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid
